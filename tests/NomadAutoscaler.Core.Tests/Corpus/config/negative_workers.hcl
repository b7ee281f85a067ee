policy_eval {
  workers = {
    cluster = -1
  }
}
# expect: 2,3 policy_workers -> number of workers for "cluster" must be positive
