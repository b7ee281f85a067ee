a = !"false"
