# The run-time contract beyond ports and mounts: the GPUs the run command
# needs, a healthcheck, and how a cluster runs the environment (binds of
# the site's paths, the MPI "hybrid" model: the host's mpirun starts one
# container per rank).
environment "solver" {
  base     = "debian:bookworm"
  packages = ["python3"]

  run = ["python3", "-c", "print('solver ready')"]

  gpu {
    count        = 2
    vendor       = "nvidia"
    capabilities = ["gpu", "compute", "utility"]
  }

  healthcheck {
    test         = ["python3", "-c", "import socket; socket.create_connection(('localhost', 8080), 2)"]
    interval     = "30s"
    timeout      = "5s"
    start_period = "1m30s"
    retries      = 3
  }

  hpc {
    binds = ["/scratch", "/project/shared:/data:ro"]
    mpi   = "hybrid"
  }
}
