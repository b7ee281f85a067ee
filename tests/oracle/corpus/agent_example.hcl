log_level = "debug"
plugin_dir = "./plugins"

nomad {
  address = "http://127.0.0.1:4646"
  namespace = ["default", "prod"]
}

http {
  bind_address = "0.0.0.0"
  bind_port    = 8080
}

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://127.0.0.1:9090"
  }
}

policy_eval {
  workers = {
    cluster    = 2
    horizontal = 10
  }
}

telemetry {
  prometheus_metrics = true
}
