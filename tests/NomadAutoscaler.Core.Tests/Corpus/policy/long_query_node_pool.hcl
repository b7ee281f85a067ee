scaling "web" {
  enabled = true
  min     = 1
  max     = 2

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "cpu" {
      source = "nomad-apm"
      query  = "node_percentage-allocated_cpu/nom-pool/class"

      strategy "target-value" {
        target = 70
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 12,7 check "cpu": query must be in short format (<operation>_<metric>) for Nomad APM node pool targets
