a = false ? 1 : nosuchfn()
