a = <<EOT
    NOT EOT
EOT
