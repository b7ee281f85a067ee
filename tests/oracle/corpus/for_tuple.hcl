a = [for x in [1,2,3] : x * 2]
b = [for i, x in var.list : "${i}:${x}"]
c = [for x in [1,2,3,4] : x if x % 2 == 0]
