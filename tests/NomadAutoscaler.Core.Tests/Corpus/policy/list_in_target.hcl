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
      tags       = ["a", "b"]
    }
  }
}
# expect: 21,7 Inappropriate value for attribute "tags" in target[os-nova]: string, number or bool required, got tuple.
