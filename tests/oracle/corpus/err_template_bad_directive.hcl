a = "%{ while true }x"
