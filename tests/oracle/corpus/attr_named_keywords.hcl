for = 1
in = 2
if = 3
true_ish = true
null_ish = "n"
