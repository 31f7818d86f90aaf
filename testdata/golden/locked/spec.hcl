# A spec compiled with its lock file (spec.lock.hcl, written by envc lock):
# every target is pinned the same way: the base images by digest, each
# package at its version (apt's dependencies through a preferences file),
# pip requirements as name==version, and the Vagrant box version. The base
# is not Debian, so the end-to-end suite does not build this case (its
# lock's versions are Ubuntu's); it is checked by the parsers. The "tools"
# package is not in the lock: compile warns (lock-stale) and installs it
# unpinned, and --locked refuses.
environment "analysis" {
  base     = "ubuntu:24.04"
  packages = ["curl", "python3-pip", "python3-venv", "tools"]

  stage "build" {
    base     = "ubuntu:24.04"
    packages = ["make"]
    step {
      run = "mkdir -p /out && echo built > /out/result.txt"
    }
  }

  step {
    copy {
      from   = stage.build
      source = "/out/result.txt"
      target = "/opt/result.txt"
    }
  }

  pip {
    packages = ["numpy>=1.26", "meshio[all]"]
  }
  pip {
    packages = ["jupyterlab"]
    venv     = "/opt/lab"
  }

  run = ["/opt/lab/bin/jupyter", "lab", "--ip=0.0.0.0"]
}
