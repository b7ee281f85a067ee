a = var.name.x
