a = {x = 5}.x
b = [10, 20][1]
c = "abc" == "abc"
