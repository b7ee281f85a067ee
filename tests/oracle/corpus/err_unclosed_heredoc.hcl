a = <<EOT
foo
bar
