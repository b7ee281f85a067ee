policy {
  default_cooldown = "5 minutes"
}
# expect: 2,22 "policy.default_cooldown" must be a duration such as "30s", "5m" or "1h30m"; got "5 minutes".
