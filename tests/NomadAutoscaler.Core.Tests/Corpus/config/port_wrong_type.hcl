http {
  bind_port = "eighty"
}
# expect: 2,15 Inappropriate value for attribute "http.bind_port": a whole number is required.
