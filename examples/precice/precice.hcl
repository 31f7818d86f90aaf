# A preCICE-style coupled-simulation environment on Ubuntu 22.04: compilers,
# CMake, MPI, Eigen, Boost and the preCICE library from its release package.
variable "precice_version" {
  type    = string
  default = "3.1.2"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.precice_version))
    error_message = "The preCICE version must look like 3.1.2."
  }
}

locals {
  deb = "libprecice${split(".", var.precice_version)[0]}_${var.precice_version}_jammy.deb"
}

environment "precice" {
  description = "preCICE ${var.precice_version} with compilers, CMake, MPI, Eigen and Boost"
  base        = "ubuntu:22.04"

  packages = [
    "build-essential", "cmake", "git", "ca-certificates", "wget",
    "libopenmpi-dev", "openmpi-bin",
    "libeigen3-dev", "libboost-all-dev", "libxml2-dev",
    "python3-dev", "python3-numpy", "pkg-config",
  ]

  env = {
    OMPI_ALLOW_RUN_AS_ROOT         = "1"
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = "1"
    PRECICE_VERSION                = var.precice_version
  }

  setup = [
    "wget -q https://github.com/precice/precice/releases/download/v${var.precice_version}/${local.deb} -O /tmp/${local.deb}",
    "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/${local.deb} && rm -rf /var/lib/apt/lists/* /tmp/${local.deb}",
    "useradd -m -s /bin/bash precice",
  ]

  user    = "precice"
  workdir = "/home/precice/case"

  mount {
    source = "case"
    target = "/home/precice/case"
  }

  run = ["/bin/bash"]

  vm {
    cpus   = 4
    memory = 4096
  }
}
