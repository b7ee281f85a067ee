a = "%{if true}yes%{else}no%{endif}"
b = "%{if false}yes%{endif}"
c = "%{ if var.count > 2 }many%{ else }few%{ endif }"
