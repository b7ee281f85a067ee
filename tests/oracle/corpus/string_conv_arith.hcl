a = "5" + 1
b = "2.5" * 2
c = "true" && true
