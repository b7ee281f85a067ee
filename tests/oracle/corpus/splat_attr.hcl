a = var.objs.*.n
b = var.objs.*
