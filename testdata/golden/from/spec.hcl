# Language v2 from: environments built on other environments, flattened.
environment "toolchain" {
  base     = "debian:bookworm"
  packages = ["make"]
  env = {
    PREFIX = "/opt/tc"
    PATH   = "/opt/tc/bin:$${PATH}"
  }
  user    = "sim"
  workdir = "/home/sim"
  source  = ["/opt/tc/env.sh"]
  labels = {
    "org.example.layer" = "toolchain"
  }
  port {
    guest = 8080
  }
  setup = ["mkdir -p /opt/tc/bin && echo 'export TC_READY=1' > /opt/tc/env.sh"]
  run   = ["make", "--version"]
}

# Built on toolchain: its steps come first; it inherits the variables, the
# user, the workdir, the sourced scripts, the labels and the ports.
environment "solver" {
  from = environment.toolchain
  env = {
    PATH       = "/opt/solver/bin:$${PATH}"
    SOLVER_DIR = "$${PREFIX}/solver"
  }
  labels = {
    "org.example.layer" = "solver"
  }
  step {
    user = "sim"
    run  = "mkdir -p \"$HOME/cases\" && echo \"$SOLVER_DIR\" > \"$HOME/cases/dir.txt\""
  }
  # A new entrypoint drops the inherited run command.
  entrypoint = ["/bin/sh", "-c", "echo solver \"$@\"", "solver"]
}

# Two levels deep, with a source script of its own and its own run command.
environment "case" {
  from   = environment.solver
  source = ["/opt/solver/case.sh"]
  step {
    run = "mkdir -p /opt/solver && echo 'export CASE=1' > /opt/solver/case.sh"
  }
  run = ["run-case"]
}
