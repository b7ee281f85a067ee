a {
  b {
    c "x" {
      d = 1
    }
  }
  b {
  }
}
