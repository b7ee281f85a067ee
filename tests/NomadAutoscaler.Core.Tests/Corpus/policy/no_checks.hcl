scaling "web" {
  enabled = true
  min     = 1
  max     = 2

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"


    target "os-nova" {
      node_class = "nom-pool"
    }
  }
}
# expect: 6,3 empty checks, this policy won't execute any verification or scaling and should have enabled set to false
