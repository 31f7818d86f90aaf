# preCICE on Ubuntu 24.04 from two modules: an OpenMPI built at a chosen
# version, then preCICE built against it. The modules live in modules/;
# each is called at its place in the step list with its arguments.

variable "openmpi_version" {
  type    = string
  default = "4.1.6"
}

variable "precice_version" {
  type    = string
  default = "3.1.2"
}

locals {
  # One folder per participant of the coupled case.
  participants = {
    fluid = "OpenFOAM"
    solid = "CalculiX"
  }
}

environment "precice" {
  description = "preCICE ${var.precice_version} built against OpenMPI ${var.openmpi_version}"
  base        = "ubuntu:24.04"

  module "openmpi" {
    source  = "./modules/openmpi.hcl"
    version = var.openmpi_version
  }

  module "precice" {
    source     = "./modules/precice/precice.hcl"
    version    = var.precice_version
    mpi_prefix = module.openmpi.prefix
  }

  step {
    for_each = local.participants
    run      = "mkdir -p /opt/case/${each.key} && echo '${each.value}' > /opt/case/${each.key}/solver"
  }

  env = {
    OMPI_ALLOW_RUN_AS_ROOT         = "1"
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = "1"
  }

  workdir = "/opt/case"
  run     = ["/bin/bash"]

  vm {
    cpus   = 4
    memory = 4096
  }
}
