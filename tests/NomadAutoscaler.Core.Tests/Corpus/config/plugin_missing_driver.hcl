apm "prometheus" {
  config = {
    address = "http://127.0.0.1:9090"
  }
}
# expect: 1,18 The argument "driver" is required
