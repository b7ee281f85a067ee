# Threshold tiers on percentage-allocated_cpu: one server more above 80 %, two more at 100 %, one less under 40 %.
scaling "nom-pool" {
  enabled = true
  min     = 2
  max     = 7

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "busy" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"
      strategy "threshold" {
        lower_bound           = 80
        upper_bound           = 100
        delta                 = 1
        within_bounds_trigger = 1
      }
    }

    check "full" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"
      strategy "threshold" {
        lower_bound           = 100
        delta                 = 2
        within_bounds_trigger = 1
      }
    }

    check "idle" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"
      strategy "threshold" {
        upper_bound           = 40
        delta                 = -1
        within_bounds_trigger = 1
      }
    }

    target "os-nova" {
      node_class             = "nom-pool"
      node_drain_deadline    = "1h"
      node_purge             = true
      node_selector_strategy = "empty_ignore_system"
    }
  }
}
