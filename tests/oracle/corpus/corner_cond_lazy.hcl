a = true ? 4 : 0/0
b = false ? nosuchfn(1) : "ok"
c = var.flag ? "yes" : upper(1, 2)
