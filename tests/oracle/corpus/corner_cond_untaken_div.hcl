a = var.flag ? 1 : 0/0
b = !var.flag ? 0/0 : "two"
