a = [for x in var.nothing : x]
