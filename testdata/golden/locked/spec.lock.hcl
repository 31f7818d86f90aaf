# envc lock file of spec.hcl, written by envc lock: the base images, packages
# and boxes its environments got. envc compile pins every target to it.
# Commit it beside the spec; refresh it on purpose with envc lock --update.

version = 1

environment "analysis" {
  base        = "ubuntu:24.04"
  digest      = "sha256:72297848456d5d37d1262630108ab308d3e9ec7ed1c3286a32fe09856619a782"
  box         = "bento/ubuntu-24.04"
  box_version = "202404.26.0"

  platform "linux/amd64" {
    manager = "apt"
    packages = {
      curl         = "8.5.0-2ubuntu10.6"
      python3-pip  = "24.0+dfsg-1ubuntu1.1"
      python3-venv = "3.12.3-0ubuntu2"
    }
    dependencies = {
      ca-certificates = "20240203"
      libcurl4t64     = "8.5.0-2ubuntu10.6"
      python3-wheel   = "0.42.0-2"
    }

    pip "system" {
      packages = {
        meshio = "5.3.5"
        numpy  = "2.2.1"
      }
      dependencies = {
        rich = "13.9.4"
      }
    }

    pip "venv:/opt/lab" {
      packages = {
        jupyterlab = "4.3.4"
      }
    }
  }

  stage "build" {
    base   = "ubuntu:24.04"
    digest = "sha256:72297848456d5d37d1262630108ab308d3e9ec7ed1c3286a32fe09856619a782"

    platform "linux/amd64" {
      manager = "apt"
      packages = {
        make = "4.3-4.1build2"
      }
    }
  }
}
