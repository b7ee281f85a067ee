a = true ? [1] : "x"
