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

      query_window = "instant"

      strategy "threshold" {
        lower_bound = 0
        upper_bound = 50
        delta       = 1
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 16,7 check "cpu": "within_bounds_trigger" must be set to 1 when query_window = "instant"
