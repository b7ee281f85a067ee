# Sample agent configuration shipped in the release archive. Run from the unpacked directory:
#   ./nomad-autoscaler agent -config config -policy-dir policies
# OpenStack credentials come from the OS_* environment variables (or a clouds.yaml), never from this file.

log_level  = "INFO"
plugin_dir = "./plugins"

nomad {
  address = "http://127.0.0.1:4646"
}

http {
  bind_address = "127.0.0.1"
  bind_port    = 8080
}

telemetry {
  prometheus_metrics = true
  disable_hostname   = true
}

apm "nomad-apm" {
  driver = "nomad-apm"
}

target "os-nova" {
  driver = "os-nova"
}

strategy "target-value" {
  driver = "target-value"
}
