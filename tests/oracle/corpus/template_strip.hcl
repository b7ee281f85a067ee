a = "a  ${~ "b" ~}  c"
b = "x %{~ if true ~} y %{~ endif ~} z"
c = <<EOT
hello
  ${~ "w" }
EOT
