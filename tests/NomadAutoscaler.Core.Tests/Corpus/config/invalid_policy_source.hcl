policy {
  source "consul" {
    enabled = true
  }
}
# expect: 2,10 source[consul] -> invalid source "consul"
