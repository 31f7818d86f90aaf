# DuMux module container (dumux/dumux docker/Dockerfile.template), re-expressed for envc v2.
# Upstream fills the template (${modName}, ${modMaintainer}, ${instScript}) with a Python
# helper to ship one DuMux module -- typically the code of a publication -- as a Docker image
# based on phusion/baseimage:jammy-1.0.4 (Ubuntu 22.04 with the my_init supervisor).
# Here: the template's placeholders are variables, the base is debian:bookworm (see NOTES.md).

variable "mod_name" {
  type        = string
  default     = "dumux-example"
  description = "the DuMux module shipped in the image (template: modName)"
}
variable "mod_maintainer" {
  type    = string
  default = "maintainer@example.org"
}
variable "install_script" {
  type        = string
  default     = "install_dumux-example.sh"
  description = "script that clones and configures the module and its dependencies (template: instScript)"
}
variable "doxygen_version" {
  type    = string
  default = "1.16.1"
}

environment "dumux" {
  description = "DuMux module ${var.mod_name} with DUNE dependencies, MPI and sparse solvers"
  base        = "debian:bookworm" # upstream: phusion/baseimage:jammy-1.0.4
  labels      = { maintainer = var.mod_maintainer }

  packages = [
    "ca-certificates", "vim", "python3-dev", "python3-pip", "git", "pkg-config", "cmake",
    "build-essential", "gfortran", "mpi-default-bin", "mpi-default-dev", "libsuitesparse-dev",
    "libsuperlu-dev", "libeigen3-dev", "graphviz", "wget",
  ]

  # the Doxygen release the documentation is built with (a binary tarball)
  step {
    run = <<-EOT
      wget -q -O /tmp/doxygen.tar.gz https://sourceforge.net/projects/doxygen/files/rel-${var.doxygen_version}/doxygen-${var.doxygen_version}.linux.bin.tar.gz/download
      mkdir -p /opt/doxygen && tar -xzf /tmp/doxygen.tar.gz -C /opt/doxygen --strip-components=1
      ln -sf /opt/doxygen/bin/doxygen /usr/local/bin/doxygen && doxygen --version
      rm -f /tmp/doxygen.tar.gz
    EOT
  }

  # home directory /dumux; the video group allows graphics when the host passes a display
  user "dumux" {
    uid    = 1000
    gid    = 1000
    home   = "/dumux"
    shell  = "/bin/bash"
    groups = ["video"]
  }

  # greeting shown by every interactive shell; a copy owned by the user creates the user (and
  # its home /dumux) first: a file block would create /dumux as root's before the user exists
  step {
    copy {
      source = "WELCOME"
      target = "/dumux/WELCOME"
      owner  = "dumux"
      mode   = "0644"
    }
  }
  step {
    user = "dumux"
    run  = "echo 'cat /dumux/WELCOME' >> /dumux/.bashrc"
  }

  # the module's install script: clone everything, apply patches, configure with dunecontrol
  step {
    copy {
      source = var.install_script
      target = "/dumux/${var.install_script}"
      owner  = "dumux"
      mode   = "0755"
    }
  }
  # upstream sets a global git identity for patching and unsets it afterwards:
  # step-scoped env says the same without touching ~/.gitconfig
  step {
    user    = "dumux"
    workdir = "/dumux"
    env = {
      GIT_AUTHOR_NAME     = var.mod_name
      GIT_AUTHOR_EMAIL    = var.mod_maintainer
      GIT_COMMITTER_NAME  = var.mod_name
      GIT_COMMITTER_EMAIL = var.mod_maintainer
    }
    run = "./${var.install_script} && rm -f /dumux/${var.install_script}"
  }

  # results are exchanged with the host here (upstream: VOLUME, and docker.sh binds $PWD)
  mount {
    source = "."
    target = "/dumux/shared"
  }

  # upstream: ENTRYPOINT my_init --quiet -- setuser dumux bash -l -c; CMD bash -i
  user    = "dumux"
  workdir = "/dumux"
  init    = true
  run  = ["/bin/bash", "-i"]
}
