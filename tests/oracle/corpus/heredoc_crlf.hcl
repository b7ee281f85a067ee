a = <<EOT
Foo
EOT
