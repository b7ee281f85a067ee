http {
  bind_port = 8080
# expect: 1,6 Unclosed configuration block
