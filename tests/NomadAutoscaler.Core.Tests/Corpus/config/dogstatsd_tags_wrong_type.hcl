telemetry {
  dogstatsd_tags = 5
}
# expect: 2,20 Inappropriate value for attribute "telemetry.dogstatsd_tags": list of string required.
