# The soak's agent: the recommended APM settings, pass-through, and an os-nova target whose credentials are fake
# secrets. The soak fails when any of them shows up in a log line.
nomad {
  address = "http://127.0.0.1:4646"
  token   = "soak-fake-token-7c1e9b0d4f2a"
}

apm "nomad-apm" {
  driver = "nomad-apm"
  config = {
    node_filter_ignore_init  = "true"
    node_filter_ignore_drain = "true"
    node_cpu                 = "4000"
    node_memory              = "8192"
  }
}

strategy "pass-through" {
  driver = "pass-through"
}

target "os-nova" {
  driver = "os-nova"
  config = {
    auth_url    = "https://keystone.example.com:5000/v3"
    username    = "nomad-autoscaler"
    password    = "soak-fake-password-2b8d61e0"
    domain_name = "Default"
    project_id  = "00000000000000000000000000000000"
  }
}
