scaling "web" {
  enabled = true
  min     = 1
  max     = 2

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "cpu" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"

      schedule {
        start    = "0 8 * * *"
        duration = "forever"
      }

      strategy "target-value" {
        target = 70
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 16,20 check cpu.schedule: duration must have time.Duration format, found "forever"
