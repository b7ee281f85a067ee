a = "just text"
b = "%"
c = "$"
d = "{}"
