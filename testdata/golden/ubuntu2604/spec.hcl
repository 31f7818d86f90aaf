# The Ubuntu LTS of April 2026, its own image: the VM boots bento's box.
environment "resolute" {
  base     = "ubuntu:26.04"
  packages = ["build-essential", "cmake", "libopenmpi-dev"]
  run      = ["mpicc", "--version"]
  vm {
    cpus   = 2
    memory = 2048
  }
}
