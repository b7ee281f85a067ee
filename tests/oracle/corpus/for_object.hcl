a = {for x in var.list : x => upper(x)}
b = {for k, v in {a=1, b=2} : v => k}
c = {for o in var.objs : "n${o.n}" => o.n if o.n > 1}
