a = <<-EOT
    Foo
  Bar
    Baz
EOT
