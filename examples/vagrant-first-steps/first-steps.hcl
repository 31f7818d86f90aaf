# The lecture's first Vagrant box: Ubuntu 20.04 with neofetch and vim, and a
# variable every login shell sees.
environment "first-steps" {
  description = "SSE first steps: neofetch, vim and TEST_ENV_VAR"
  base        = "ubuntu:20.04"

  packages = ["neofetch", "vim"]

  env = {
    TEST_ENV_VAR = "Hello SSE"
  }

  run = ["neofetch"]

  vm {
    box  = "ubuntu/focal64"
    name = "sse-first-step"
  }
}
