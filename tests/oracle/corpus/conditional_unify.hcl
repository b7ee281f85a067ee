a = true ? 1 : "x"
b = false ? 1 : "x"
c = true ? null : 5
