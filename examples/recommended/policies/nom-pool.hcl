# The recommended cluster policy: size the pool by demand, not by a utilisation ratio, and boot servers ahead of
# load that repeats.
#
# `desired-nodes` (nomad-apm) is the number of servers the pool needs. While allocations are queued for lack of
# capacity it is the usable nodes plus just enough new ones to place the queue (first-fit decreasing into nodes of
# the pool's size); otherwise it is the fewest nodes that hold what runs now. The `periodic` strategy makes that the
# count, as pass-through would: a queue of one server's worth adds one server (not five, as target-value on
# percentage-allocated_cpu can), and an idle server is given back at the next evaluation. On top of that it
# remembers what the pool needed: when, at this time of the last two periods, the demand reached more within the
# next `lead`, the servers are booted now, so a burst that comes back finds them ready instead of waiting a whole
# boot. Servers still booting are part of the count, so the queue they will absorb is not bought twice. Scale-in
# takes only empty nodes (empty_ignore_system), so no work is disturbed.
#
# Measured in the scaling lab on every shipped workload: see docs/scaling-quality.md.
scaling "nom-pool" {
  enabled = true
  min     = 2
  max     = 7

  policy {
    # Evaluate often: a queued allocation waits for the next evaluation before its server starts booting.
    evaluation_interval  = "20s"
    # A scale-out is already sized to the queue, so the next one may follow at the next evaluation; a short pause
    # after a scale-in keeps a brief lull from giving back a server that the next minute needs. ("0s" would not do:
    # as upstream, a zero cooldown_on_scale_up means "use cooldown".)
    cooldown_on_scale_up = "1s"
    cooldown             = "1m"

    check "demand" {
      source = "nomad-apm"
      query  = "desired-nodes_resources"

      # Set period to how often your load repeats (1h for hourly batch, 24h for a daily cycle) and lead to at least
      # the server boot time plus one evaluation interval. Two seasons must agree before a peak is anticipated, so
      # a one-off is not repeated; on load that does not repeat this is plain pass-through.
      strategy "periodic" {
        period  = "1h"
        lead    = "2m30s"
        seasons = 2
      }
    }

    target "os-nova" {
      node_class                    = "nom-pool"
      pool_name                     = "nom-pool"
      name_prefix                   = "nom-"
      image_id                      = "REPLACE-WITH-IMAGE-ID"
      flavor_name                   = "4C-8GB-40GB"
      network_id                    = "REPLACE-WITH-NETWORK-ID"
      tags                          = "nom-pool"
      node_drain_deadline           = "1h"
      node_drain_ignore_system_jobs = false
      node_purge                    = true
      node_selector_strategy        = "empty_ignore_system"
    }
  }
}
