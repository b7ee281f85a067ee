# Demand queries as nomad-apm's README pairs them: required-nodes (queued work) through pass-through to grow, and
# target-value on percentage-allocated_cpu in the same group to shrink.
scaling "nom-pool" {
  enabled = true
  min     = 2
  max     = 7

  policy {
    cooldown            = "1m"
    evaluation_interval = "30s"

    check "queued" {
      source = "nomad-apm"
      query  = "required-nodes_resources"
      group  = "pool"
      strategy "pass-through" {}
    }

    check "allocated" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"
      group  = "pool"
      strategy "target-value" {
        target = 70
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
