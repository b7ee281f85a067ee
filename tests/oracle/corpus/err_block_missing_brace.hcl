b "x"
c = 1
