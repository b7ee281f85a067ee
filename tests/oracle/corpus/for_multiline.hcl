a = [
  for x in [1, 2]:
  x + 1
]
b = {
  for x in [1]:
  "k" => x
}
