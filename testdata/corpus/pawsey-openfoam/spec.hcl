# Pawsey's OpenFOAM-12 container for the Setonix supercomputer
# (PawseySC/pawsey-containers setonix/applications/OpenFOAM/openfoam-org/12/Dockerfile),
# re-expressed for envc v2. Upstream: OpenFOAM.org 12 compiled from source against the
# system MPICH of quay.io/pawsey/mpich-base:3.4.3_ubuntu24.04, usable from Docker and Singularity.
# Here: debian:bookworm with Debian's MPICH (see NOTES.md).

variable "of_version" {
  type    = string
  default = "12"
}
variable "of_inst_dir" {
  type    = string
  default = "/opt/OpenFOAM"
}
variable "of_comp_option" {
  type        = string
  default     = "-j"
  description = "options for Allwmake"
}

locals {
  of_user_dir = "/home/ofuser/OpenFOAM"
  of_dir      = "${var.of_inst_dir}/OpenFOAM-${var.of_version}"
  of_bashrc   = "${local.of_dir}/etc/bashrc"
  of_prefs    = "${local.of_dir}/etc/prefs.sh"
  of_control  = "${local.of_dir}/etc/controlDict"
}

environment "openfoam-org-12" {
  description = "OpenFOAM-${var.of_version} (openfoam.org) built with the system MPICH, for Docker and Singularity"
  base        = "debian:bookworm" # upstream: quay.io/pawsey/mpich-base:3.4.3_ubuntu24.04
  labels      = { maintainer = "Alexis.Espinosa@pawsey.org.au" }

  # I. tools for interactive sessions, plus the MPI that mpich-base brings upstream
  packages = ["vim", "time", "cron", "gosu", "bc", "curl", "mpich", "libmpich-dev"]

  # II. the user for interactive sessions and own solvers (a system account upstream: useradd -r)
  user "ofuser" {
    uid   = 10001
    gid   = 10001
    home  = "/home/ofuser"
    shell = "/bin/bash"
  }
  step {
    run = "mkdir -p ${local.of_user_dir}/ofuser-${var.of_version} && chown -R ofuser:ofuser ${local.of_user_dir} && chmod -R 755 ${local.of_user_dir}"
  }

  # III.1 build dependencies (no recommends, no suggests)
  step {
    packages = [
      "build-essential", "cmake", "git", "ca-certificates", "flex",
      "zlib1g-dev", "gnuplot", "gnuplot-x11", "libxt-dev",
      "libxml2-dev", "libhdf5-dev", "libavfilter-dev", "libtheora-dev", "libgl2ps-dev",
      "libx11-dev", "libqt5x11extras5-dev", "libglew-dev", "libutfcpp-dev",
      "libdouble-conversion-dev", "libfreetype-dev", "libqt5svg5-dev",
      "qtxmlpatterns5-dev-tools", "qttools5-dev", "python3-dev",
      "libfl-dev", "bison", "libboost-system-dev", "libboost-thread-dev",
      "libreadline-dev", "libncurses-dev",
    ]
  }

  # III.2 sources
  step {
    workdir = var.of_inst_dir
    run     = "git clone https://github.com/OpenFOAM/OpenFOAM-${var.of_version}.git && git clone https://github.com/OpenFOAM/ThirdParty-${var.of_version}.git"
  }

  # III.3 site preferences: use the system MPICH (WM_MPLIB=SYSTEMMPI and the MPI_ARCH_* flags)
  step {
    copy {
      source = "prefs.sh"
      target = local.of_prefs
      mode   = "0644"
    }
  }
  # install location and user directory inside the bashrc; collated I/O by default
  step {
    run = <<-EOT
      cp ${local.of_bashrc} ${local.of_bashrc}.original
      sed -i 's|^export FOAM_INST_DIR=.*|export FOAM_INST_DIR=${var.of_inst_dir}|' ${local.of_bashrc}
      # shellcheck disable=SC2016 # $WM_PROJECT_VERSION is written into the bashrc as is
      sed -i 's|^export WM_PROJECT_USER_DIR=.*|export WM_PROJECT_USER_DIR="${local.of_user_dir}/ofuser-$WM_PROJECT_VERSION"|' ${local.of_bashrc}
      cp ${local.of_control} ${local.of_control}.original
      sed -i 's|^\( *\)fileHandler uncollated;|\1fileHandler collated;|' ${local.of_control}
    EOT
  }

  # III.4 ThirdParty, III.5 ParaView from the distribution, III.6 OpenFOAM itself
  step {
    run = ". ${local.of_bashrc} && cd \"$WM_THIRD_PARTY_DIR\" && ./Allwmake 2>&1 | tee log.Allwmake"
  }
  step { packages = ["paraview-dev"] }
  step {
    env = { QT_SELECT = "qt5" }
    run = <<-EOT
      . ${local.of_bashrc}
      cd "$WM_PROJECT_DIR"
      ./Allwmake ${var.of_comp_option} 2>&1 | tee log.Allwmake
      ./Allwmake ${var.of_comp_option} 2>&1 | tee log.SummaryAllwmake
      icoFoam -help 2>&1 | tee log.icoFoam
      printenv > environment_vars_raw.env
    EOT
  }

  # IV. readable and executable for everyone
  step {
    run = "find ${var.of_inst_dir} -type d -exec chmod 755 {} + && find ${var.of_inst_dir} -type f -perm /111 -exec chmod 755 {} + && find ${var.of_inst_dir} -type f ! -perm /111 -exec chmod 644 {} +"
  }

  # The OpenFOAM environment for every session: upstream writes /etc/profile.d/zz_openfoam.sh
  # (Docker, through `bash -l` in ENTRYPOINT) and /.singularity.d/env/91-environment.sh
  # (Singularity), and relinks /bin/sh to bash because the bashrc has bash-isms:
  # shell = "bash" runs every step, the wrapper and the run-time scripts in bash.
  source = [local.of_bashrc]
  shell  = "bash"

  # WM_PROJECT_USER_DIR is meant to be bound from the cluster's software area
  mount {
    source = "ofuser-12"
    target = "${local.of_user_dir}/ofuser-${var.of_version}"
  }

  # Setonix runs it with the host's Cray MPICH: srun starts one container per rank, and the
  # image's MPICH (ABI-compatible) is replaced by the host's libraries the site's module binds
  hpc {
    mpi = "hybrid"
  }

  user    = "ofuser"
  workdir = "/home/ofuser"
  run     = ["/bin/bash"]
}
