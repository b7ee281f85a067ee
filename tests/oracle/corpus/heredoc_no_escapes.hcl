a = <<EOT
back\slash \n "quotes"
$${literal}
EOT
