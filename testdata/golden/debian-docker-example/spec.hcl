# The lecture's Dockerfile example, on Debian 12 so that it is really built.
environment "docker-example" {
  base     = "debian:bookworm"
  packages = ["neofetch"]
  file {
    source = "testfile"
    target = "/app/testfile"
  }
  workdir = "/app"
  run     = ["echo", "hello"]
}
