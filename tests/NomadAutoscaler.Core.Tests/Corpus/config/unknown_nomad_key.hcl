nomad {
  adress = "http://127.0.0.1:4646"
}
# expect: 2,3 An argument named "adress" is not expected here. Did you mean "address"?
