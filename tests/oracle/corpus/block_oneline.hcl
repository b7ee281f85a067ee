b { a = 1 }
c {}
d "l" { x = "y" }
