a = var.
