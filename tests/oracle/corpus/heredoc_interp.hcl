a = <<EOT
Name: ${var.name}
%{for x in var.list}- ${x}
%{endfor}EOT
