a = <<-EOT
    Foo ${var.name}
    ${var.count} Bar
    EOT
