scaling "web" {
  enabled = true
  min     = 1
  max     = 2

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "cpu" {
      source = "nomad-apm"
      query  = "percentage-allocated_cpu"

      strategy "target-value" {
        target = { value = 70 }
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 15,9 Inappropriate value for attribute "target" in strategy[target-value]: string, number or bool required, got object.
