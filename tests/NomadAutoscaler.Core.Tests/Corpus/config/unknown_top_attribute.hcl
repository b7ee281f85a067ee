log_levle = "debug"
# expect: 1,1 Unsupported argument; An argument named "log_levle" is not expected here. Did you mean "log_level"?
