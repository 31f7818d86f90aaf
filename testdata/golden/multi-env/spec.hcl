# Two environments in one file share locals.
locals {
  base = "debian:bookworm"
}

environment "builder" {
  base     = local.base
  packages = ["build-essential"]
}

environment "runtime" {
  base = local.base
  env  = { MODE = "runtime" }
  run  = ["sh", "-c", "echo $MODE"]
}
