# Language v3, per target and per platform: a container starts through
# an init script, a machine runs the service directly; a step runs on
# one platform alone.
environment "per-target" {
  base      = "debian:bookworm"
  platforms = ["linux/amd64", "linux/arm64"]

  env = {
    SERVE_MODE = "default"
  }
  workdir    = "/srv/app"
  entrypoint = ["/usr/local/bin/serve"]
  run        = ["--port", "8080"]

  step {
    copy {
      source = "serve.sh"
      target = "/usr/local/bin/serve"
      mode   = "0755"
    }
  }
  # A step of one platform: the other platforms skip it.
  step {
    platforms = ["linux/arm64"]
    run       = "echo arm64 > /etc/envc-arch"
  }
  step {
    platforms = ["linux/amd64"]
    packages  = ["hello"]
  }

  # Containers: the environment's entrypoint, their own variables.
  target "docker" {
    env = {
      SERVE_MODE = "container"
    }
  }
  target "singularity" {
    # Apptainer runs as the caller, in the caller's directory by
    # default: the run directory is one every caller can write.
    workdir = "/tmp"
    env = {
      SERVE_MODE = "apptainer's \"quoted\" $$HOME `x`"
    }
  }
  # A machine runs the service itself, with no entrypoint.
  target "vagrant" {
    entrypoint = []
    run        = ["/usr/local/bin/serve", "--port", "8080", "--machine"]
  }
}

# Built on it: the target blocks' values are inherited where this
# environment sets none of its own.
environment "per-target-child" {
  from = environment.per-target
  target "llb" {
    workdir = "/opt"
  }
}
