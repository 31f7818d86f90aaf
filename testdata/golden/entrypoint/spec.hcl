# The start-up contract: an entrypoint, and default arguments that a
# caller's arguments replace.
environment "greeter" {
  base = "debian:bookworm"

  step {
    copy {
      source = "greet.sh"
      target = "/usr/local/bin/greet"
      mode   = "0755"
    }
  }

  init       = true
  entrypoint = ["/usr/local/bin/greet"]
  run        = ["world", "research group"]
}
