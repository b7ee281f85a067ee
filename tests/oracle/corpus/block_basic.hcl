service {
  name = "x"
}
