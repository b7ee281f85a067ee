# The mission: the os-nova worker pool ("nom-pool", 1 to 2 Nova servers) kept near 70 % allocated CPU, measured by
# nomad-apm, with the target-value strategy. OpenStack credentials come from the Nomad Variable below.
#   nomad-pack run deploy/packs/nomad_autoscaler -f deploy/packs/nomad_autoscaler/examples/mission.vars.hcl \
#     --var archive_sha256=<from SHA256SUMS>

datacenters                    = ["dc1"]
openstack_credentials_variable = "nomad/jobs/nomad-autoscaler"

apm_plugins      = [{ name = "nomad-apm", driver = "nomad-apm", config = {} }]
target_plugins   = [{ name = "os-nova", driver = "os-nova", config = {} }]
strategy_plugins = [{ name = "target-value", driver = "target-value", config = {} }]

policies = {
  "worker_pool_policy.hcl" = <<-EOT
    scaling "worker_pool_policy" {
      enabled = true
      min     = 1
      max     = 2

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
          image_id                      = "c0b9ae0f-6a02-4a35-a8b3-8e7b1e7d3b41"
          flavor_name                   = "2C-2GB-20GB"
          pool_name                     = "nom-pool"
          name_prefix                   = "nom-"
          network_id                    = "5e1b3c9a-2f44-4d8e-9a51-7c0b6d2e8f13"
          security_groups               = "default"
          availability_zones            = "az1"
          node_class                    = "nom-pool"
          node_drain_deadline           = "1h"
          node_drain_ignore_system_jobs = false
          node_purge                    = true
          node_selector_strategy        = "least_busy"
        }
      }
    }
  EOT
}
