telemetry {
  circonus_api_tokn = "x"
}
# expect: 2,3 Did you mean "circonus_api_token"?
