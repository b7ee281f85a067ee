a = jsonencode([1, {b = 1/0}])
