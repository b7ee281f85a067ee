# Upstream's default from the mission: target-value 70 on nomad-apm's percentage-allocated_cpu, least_busy scale-in.
scaling "nom-pool" {
  enabled = true
  min     = 2
  max     = 7

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "cpu_allocated_percentage" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"

      strategy "target-value" {
        target = 70
      }
    }

    target "os-nova" {
      node_class             = "nom-pool"
      node_drain_deadline    = "1h"
      node_purge             = true
      node_selector_strategy = "least_busy"
    }
  }
}
