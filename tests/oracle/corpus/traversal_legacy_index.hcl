a = var.list.0
b = var.list.2
c = [[1,2],[3,4]].1.0
