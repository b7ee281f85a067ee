log_level = lowercase("INFO")
# expect: 1,13 Call to unknown function
