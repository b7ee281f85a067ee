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
        target = 70
      }
    }

    target "os-nova" {
      node_class = "nom-pool"
      dry-run    = null
    }
  }
}
# expect: 21,7 Unsuitable value for attribute "dry-run" in target[os-nova]: null is not allowed; remove the attribute to leave it unset.
