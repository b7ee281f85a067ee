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

      strategy "target-value" {
        target = 70
      }

      strategy "threshold" {
        lower_bound = 0
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 18,7 Duplicate strategy block; Only one strategy block is allowed. Another was defined at
