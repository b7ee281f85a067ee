log_level = "info
plugin_dir = "/opt/plugins"
# expect: 1,13 Unterminated template string
