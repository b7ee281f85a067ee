a = 1e999999999
b = "\U7FFFFFFF"
c = "\ud800"
