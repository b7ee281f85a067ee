a = "%{    if    true    }t%{    endif    }"
