a = <<EOT
foo
EOF
