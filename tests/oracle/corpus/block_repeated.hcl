check "a" {
  v = 1
}
check "b" {
  v = 2
}
check "a" {
  v = 3
}
