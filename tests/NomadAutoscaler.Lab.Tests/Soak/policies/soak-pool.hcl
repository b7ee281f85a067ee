# The soak's pool: sized by demand (pass-through on desired-nodes, so what the policy wants is exactly the
# clairvoyant bound once the workload is steady), scaled in with least_busy, so drains move running work and the fit
# check decides what may go.
scaling "soak-pool" {
  enabled = true
  min     = 1
  max     = 6

  policy {
    evaluation_interval  = "20s"
    cooldown_on_scale_up = "1s"
    cooldown             = "1m"

    check "demand" {
      source = "nomad-apm"
      query  = "desired-nodes_resources"
      strategy "pass-through" {}
    }

    target "os-nova" {
      node_class                    = "soak-pool"
      pool_name                     = "soak-pool"
      node_drain_deadline           = "1h"
      node_drain_ignore_system_jobs = false
      node_purge                    = true
      node_selector_strategy        = "least_busy"
    }
  }
}
