scaling "web" {
  enabled = true
  min     = 1
  max     = 2.5

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "cpu" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"

      strategy "target-value" {
        target = 70
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 4,13 Inappropriate value for attribute "scaling[web].max": a whole number is required.
