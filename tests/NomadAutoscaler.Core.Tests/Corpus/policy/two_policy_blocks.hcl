scaling "web" {
  enabled = true
  min     = 1
  max     = 2

  policy {
    cooldown = "1m"
  }

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "cpu" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"

      strategy "target-value" {
        target = 70
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 10,3 Duplicate policy block
