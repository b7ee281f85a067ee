a = "${var.name"
