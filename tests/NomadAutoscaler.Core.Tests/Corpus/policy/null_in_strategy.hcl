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
        target = null
      }
    }

    target "os-nova" {
      node_class = "nom-pool"

    }
  }
}
# expect: 15,9 Unsuitable value for attribute "target" in strategy[target-value]: null is not allowed; remove the attribute to leave it unset.
