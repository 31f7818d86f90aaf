# The lecture's Dockerfile example: Ubuntu 18.04 with neofetch, a working
# directory /app holding testfile, and `echo hello` as the command.
environment "docker-example" {
  base     = "ubuntu:18.04"
  packages = ["neofetch"]

  file {
    source = "testfile"
    target = "/app/testfile"
  }

  workdir = "/app"
  run     = ["echo", "hello"]
}
