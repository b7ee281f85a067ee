strategy "target-value" {
  driver = "target-value"
  config = "target=70"
}
# expect: 3,12 Inappropriate value for attribute "strategy[target-value].config": map of string required.
