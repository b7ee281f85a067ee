log_levle = "debug"

http {
  bind_port = "x"
}

policy {
  default_cooldown = "soon"
}

apm "prom" {
  drivr = "prometheus"
}
# expect: 1,1 Did you mean "log_level"?
# expect: 4,15 a whole number is required
# expect: 8,22 got "soon"
# expect: 12,3 Did you mean "driver"?
