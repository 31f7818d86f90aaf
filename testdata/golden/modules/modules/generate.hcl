variable "lines" {
  type = list(string)
}

step {
  run = "mkdir -p /out"
}

step {
  for_each = var.lines
  run      = "echo '${each.value}' >> /out/lines.txt"
}
