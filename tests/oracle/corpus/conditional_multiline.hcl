a = (true
  ? "y"
  : "n")
