scaling "policy-a" {
  enabled = true
}
resource "type" "name" {
  a = 1
}
bare label1 "q" {
}
