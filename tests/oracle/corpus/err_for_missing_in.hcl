a = [for x of [1] : x]
