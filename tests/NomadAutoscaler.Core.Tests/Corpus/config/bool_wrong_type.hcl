log_json = "yes"
# expect: 1,12 Inappropriate value for attribute "log_json": bool required.
