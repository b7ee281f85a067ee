a = var.nothing[*]
b = var.name[*]
c = var.nested[*].x
