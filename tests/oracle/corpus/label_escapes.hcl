b "a\"b" "tab\tx" {
}
