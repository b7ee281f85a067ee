a = <<END_OF_TEXT
x
END_OF_TEXT
b = 2
