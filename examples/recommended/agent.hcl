# The project's recommended agent configuration for an os-nova node pool (the mission's names). Scored with
# `nomad-autoscaler simulate` against every workload in examples/workloads: see docs/scaling-quality.md.
nomad {
  address = "http://127.0.0.1:4646"
}

apm "nomad-apm" {
  driver = "nomad-apm"
  config = {
    # A pool member that is still starting or draining is not capacity yet (or any more); skip it instead of
    # failing the query, so demand is computed while a scale is under way.
    node_filter_ignore_init  = "true"
    node_filter_ignore_drain = "true"
    # The size of one pool server (its flavor), for demand queries while the pool is empty: scale from zero.
    node_cpu    = "4000"
    node_memory = "8192"
  }
}

strategy "periodic" {
  driver = "periodic"
}

target "os-nova" {
  driver = "os-nova"
  config = {
    auth_url    = "https://keystone.example.com:5000/v3"
    username    = "nomad-autoscaler"
    # Give the password through OS_PASSWORD (or an application credential) rather than in this file.
    domain_name = "Default"
    project_id  = "00000000000000000000000000000000"
    region_name = "RegionOne"
  }
}
