a = "outer ${"inner ${var.name}"}"
b = "${"${"${1}"}"}"
