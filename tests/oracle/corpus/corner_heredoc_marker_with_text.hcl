a = <<EOT
hi
EOT x
EOT
