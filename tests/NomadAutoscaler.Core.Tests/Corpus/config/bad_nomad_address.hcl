nomad {
  address = "nomad.service:4646"
}
# expect: - nomad.address must be an absolute http(s) URL such as "http://127.0.0.1:4646"; got "nomad.service:4646"
