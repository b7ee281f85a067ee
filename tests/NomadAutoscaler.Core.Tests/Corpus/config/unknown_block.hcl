nomda {
  address = "http://127.0.0.1:4646"
}
# expect: 1,1 Blocks of type "nomda" are not expected here. Did you mean "nomad"?
