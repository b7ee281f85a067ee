a = true ? "x" : [1]
