# OpenMPI built from its release tarball at a version, installed into a
# prefix: the building block an HPC recipe calls where the distribution's
# own MPI is too old or built without what the cluster's MPI needs.

variable "version" {
  type        = string
  description = "OpenMPI release, e.g. 4.1.6"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.version))
    error_message = "The OpenMPI version must look like 4.1.6."
  }
}

variable "prefix" {
  type    = string
  default = "/opt/openmpi"
}

variable "configure_flags" {
  type    = list(string)
  default = ["--disable-static", "--enable-mpi-cxx"]
}

locals {
  series  = join(".", slice(split(".", var.version), 0, 2))
  tarball = "openmpi-${var.version}.tar.bz2"
  url     = "https://download.open-mpi.org/release/open-mpi/v${local.series}/${local.tarball}"
}

step {
  packages = ["build-essential", "ca-certificates", "wget", "bzip2", "perl", "file"]
}

step {
  shell = "bash"
  run   = <<-EOT
    cd /tmp && wget -q ${local.url}
    tar -xjf ${local.tarball} && cd openmpi-${var.version}
    ./configure --prefix=${var.prefix} ${join(" ", var.configure_flags)}
    make -j"$(nproc)" && make install
    cd /tmp && rm -rf openmpi-${var.version} ${local.tarball}
  EOT
}

step {
  env = {
    PATH            = "${var.prefix}/bin:$PATH"
    LD_LIBRARY_PATH = "${var.prefix}/lib"
  }
}

output "prefix" {
  value = var.prefix
}

output "mpicc" {
  value = "${var.prefix}/bin/mpicc"
}
