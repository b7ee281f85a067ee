a = var.objs[*].n
b = var.list[*]
c = [[1,2],[3,4]][*][0]
