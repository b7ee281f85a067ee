a = <<EOT
hi
EOT  