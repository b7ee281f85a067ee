b var {
}
