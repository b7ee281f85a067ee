a = var.name
b = var.nested.x.y
c = var.objs[1].n
d = var.list[0]
e = var["name"]
