a = "${"\uDFFF"}"
