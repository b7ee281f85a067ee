a = var.nope
