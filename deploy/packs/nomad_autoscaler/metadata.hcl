pack {
  name        = "nomad_autoscaler"
  description = "The C# Nomad Autoscaler: an HA pair of agents running the release archive, with workload identity."
  version     = "0.1.0"
}
