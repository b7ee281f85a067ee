target "os-nova" {
  driver = "os-nova"
  mode   = "sidecar"
}
# expect: 3,3 target[os-nova].mode must be "external" or "in-process"; got "sidecar".
