a = true ? 1 : 2
b = false ? "x" : "y"
c = 1 > 2 ? "big" : "small"
d = true ? false ? 1 : 2 : 3
