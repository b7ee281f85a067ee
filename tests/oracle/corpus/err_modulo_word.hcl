a = 1 mod 2
