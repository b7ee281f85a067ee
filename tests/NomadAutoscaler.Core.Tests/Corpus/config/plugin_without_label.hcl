apm {
  driver = "prometheus"
}
# expect: 1,1 Missing name for apm; All apm blocks must have 1 labels (name).
