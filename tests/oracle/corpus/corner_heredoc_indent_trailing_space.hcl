a = <<-EOT
    hello
    EOT 
