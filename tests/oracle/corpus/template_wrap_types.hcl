a = "${var.count}"
b = "${var.flag}"
c = "${[1,2]}"
d = "${{a=1}}"
