a = { null = 1 }
b = { true = "t", false = "f" }
