a = "x${var.nothing}"
