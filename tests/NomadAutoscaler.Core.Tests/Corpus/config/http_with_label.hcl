http "public" {
  bind_port = 8080
}
# expect: 1,6 Extraneous label for http; No labels are expected for http blocks.
