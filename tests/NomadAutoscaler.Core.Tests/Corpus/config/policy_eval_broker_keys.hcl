policy_eval {
  delivery_limit = 0
  ack_timeout    = "10m"
}
# expect: 2,3 policy_eval -> delivery_limit is not supported: it tuned upstream's evaluation broker
# expect: 3,3 policy_eval -> ack_timeout is not supported: it tuned upstream's evaluation broker
