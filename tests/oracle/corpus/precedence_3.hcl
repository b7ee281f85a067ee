a = -2 * -3
b = !false == true
c = 1 == 1 == true
