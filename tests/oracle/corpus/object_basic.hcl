a = {x = 1, y = "two"}
b = {}
c = {
  x = 1
  y = 2
}
d = {"quoted key" = 1, "k2": 2}
e = {a: 1, b: 2,}
