a = {for x in ["a","b","a"] : x => x...}
b = {for i, x in [1,2,3,4] : (i % 2 == 0 ? "even" : "odd") => x...}
