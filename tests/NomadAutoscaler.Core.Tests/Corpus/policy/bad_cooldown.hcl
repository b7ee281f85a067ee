scaling "web" {
  enabled = true
  min     = 1
  max     = 2

  policy {
    cooldown            = "2 minutes"
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
# expect: 7,27 "scaling[web].policy.cooldown" must be a duration such as "30s", "5m" or "1h30m"; got "2 minutes".
