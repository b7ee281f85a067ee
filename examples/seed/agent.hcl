nomad {
  address = "http://127.0.0.1:4646"
  region  = "stage"
}

http {
  bind_address = "192.168.5.164"
  bind_port    = 9999
}

apm "nomad-apm" {
  driver = "nomad-apm"
}

target "os-nova" {
  driver = "os-nova"
  config = {
    auth_url    = "https://plage1.api.pco.get-cloud.io:5000/v3"
    username    = "tbueker"
    password    = "geheim"
    domain_name = "pco"
    project_id  = "a66cd244776d4602bf88eb6a663c287a"
    region_name = "RegionOne"
  }
}

strategy "target-value" {
  driver = "target-value"
}
