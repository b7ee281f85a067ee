target "os-nova" {
  driver = "os-nova"
  config = {
    auth = { user = "x" }
  }
}
# expect: 3,12 Inappropriate value for attribute "target[os-nova].config": element "auth": string required.
