a = { null = 1, "null" = 2 }
