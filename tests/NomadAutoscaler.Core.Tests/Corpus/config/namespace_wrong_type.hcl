nomad {
  namespace = { default = true }
}
# expect: 2,15 Inappropriate value for attribute "nomad.namespace": list of string required.
