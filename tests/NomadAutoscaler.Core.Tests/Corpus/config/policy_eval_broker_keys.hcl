policy_eval {
  delivery_limit = 0
}
# expect: 2,3 policy_workers -> delivery_limit must be bigger than 0
