scaling "x" {
  policy {
    target "t" {
      tags = jsonencode({a = "b", n = 1})
    }
  }
}
