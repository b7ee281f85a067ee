a = nosuchfn(1)
