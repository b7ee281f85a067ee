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
    }

    target "aws-asg" {
      asg_name = "x"
    }
  }
}
# expect: 23,5 Duplicate target block; Only one target block is allowed.
