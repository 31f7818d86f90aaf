# The lecture's first Vagrant box, on Debian 12 so that it is really built.
environment "first-steps" {
  description = "SSE first steps: neofetch, vim and TEST_ENV_VAR"
  base        = "debian:bookworm"
  packages    = ["neofetch", "vim"]
  env = {
    TEST_ENV_VAR = "Hello SSE"
  }
  run = ["neofetch"]
  vm {
    name = "sse-first-step"
  }
}
