a = var.objs[*].n[0]
