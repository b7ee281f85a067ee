a = "%{for x in var.list}${x},%{endfor}"
b = "%{for i, x in var.list}${i}=${x} %{endfor}"
c = "%{for k, v in {b=2, a=1}}${k}${v}%{endfor}"
