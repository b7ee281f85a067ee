a = {(var.name) = 1}
b = {"${var.name}-x" = 2}
c = {var = 1}
d = {(1+1) = "two"}
