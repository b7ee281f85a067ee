high_availability {
  lock_path = "autoscaler/lock"
}
# expect: 1,19 Missing required argument; The argument "enabled" is required, but no definition was found.
