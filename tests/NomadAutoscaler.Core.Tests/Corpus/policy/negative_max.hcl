scaling "web" {
  enabled = true
  min     = -3
  max     = -1

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
# expect: 4,3 policy Max can't be negative
