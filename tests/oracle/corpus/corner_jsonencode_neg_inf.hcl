a = jsonencode(-1/0)
