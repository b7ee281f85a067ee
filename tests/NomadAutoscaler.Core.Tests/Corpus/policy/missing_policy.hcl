scaling "web" {
  enabled = true
  max     = 2
}
# expect: 1,1 Missing policy block; scaling "web" has no policy block
