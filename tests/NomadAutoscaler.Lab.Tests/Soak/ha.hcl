# Added to agent.hcl for even seeds: two agents share the lock, as an HA deployment does, so the soak also draws
# lock-service errors and leader partitions and checks that no two agents act at once. Upstream's lock timings.
high_availability {
  enabled = true
}
