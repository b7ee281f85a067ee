a = <<EOT
Foo
EOT