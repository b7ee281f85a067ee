café = 1
naïve-name = 2
_under = 3
with-dash-2 = 4
