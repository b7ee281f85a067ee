# The smallest ACL policy the agent needs for the mission (Nomad job policies, the os-nova pool with nomad-apm, HA).
# Attach it to the job's workload identity:
#   nomad acl policy apply -namespace default -job nomad-autoscaler nomad-autoscaler nomad-autoscaler-acl.hcl
# tests/NomadAutoscaler.EndToEnd.Tests/WorkloadIdentityTests runs the agent with exactly this policy.

namespace "default" {
  # Policies from Nomad (list, read), the job target's status and scale, nomad-apm's task group queries.
  capabilities = ["list-scaling-policies", "read-scaling-policy", "read-job-scaling", "scale-job", "read-job"]

  # high_availability: the lock (lock_path) and the cooldown hand-over (lock_path + "/state").
  variables {
    path "nomad-autoscaler/lock*" {
      capabilities = ["read", "write"]
    }
  }
}

# nomad-apm's node queries read nodes; os-nova drains, marks ineligible and purges the nodes it removes.
node {
  policy = "write"
}
