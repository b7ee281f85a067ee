a = [
  1, # one
  2, // two
  /* three */ 3
]
b = {
  x = 1 # c
}
