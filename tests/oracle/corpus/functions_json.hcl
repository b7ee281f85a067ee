a = jsonencode({a = 1, b = [true, null], c = "<&>"})
b = jsondecode("{\"x\": [1, 2.5]}")
c = jsonencode("x")
d = jsonencode(1e6)
