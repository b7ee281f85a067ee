dynamic_application_sizing {
  job_label = "job"
}
# expect: 2,3 dynamic_application_sizing -> job_label is only supported in Nomad Autoscaler Enterprise
