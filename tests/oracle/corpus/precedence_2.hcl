a = 1 < 2 == true
b = true || false && false
c = !true || true
d = 1 + 2 > 2 && 3 != 4
