http {
  bind_port = 8080
}

http {
  bind_port = 9090
}
# expect: 5,1 Duplicate http block; Only one http block is allowed. Another was defined at
