# The agent configuration every benchmarked policy runs with: the recommended nomad-apm filters (so that no policy
# fails a query while a node starts or drains), the strategies the policies use, and os-nova, which the lab plays
# with its simulated cloud.
apm "nomad-apm" {
  driver = "nomad-apm"
  config = {
    node_filter_ignore_init  = "true"
    node_filter_ignore_drain = "true"
    # The size of one pool server (its flavor), for demand queries while the pool is empty: scale from zero.
    node_cpu    = "4000"
    node_memory = "8192"
  }
}

strategy "target-value" {
  driver = "target-value"
}

strategy "threshold" {
  driver = "threshold"
}

strategy "pass-through" {
  driver = "pass-through"
}

strategy "periodic" {
  driver = "periodic"
}

target "os-nova" {
  driver = "os-nova"
}
