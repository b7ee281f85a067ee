a = {for k, v in {x = {y = 1}} : k => v.y}
