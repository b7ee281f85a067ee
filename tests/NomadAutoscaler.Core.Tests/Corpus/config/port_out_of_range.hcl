http {
  bind_port = 70000
}
# expect: 2,3 http.bind_port must be between 0 and 65535; got 70000.
