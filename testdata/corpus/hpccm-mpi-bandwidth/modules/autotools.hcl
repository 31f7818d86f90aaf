# A source package built with configure and make into a prefix of its own, as HPC Container
# Maker's generic_autotools building block does: its build packages, the release tarball
# downloaded into /var/tmp, configure, build, install, the sources removed; then the
# variables that make the prefix usable by the later steps.

variable "url" {
  type        = string
  description = "the release tarball (.tar.gz or .tar.bz2)"
}

variable "prefix" {
  type = string
}

variable "configure_opts" {
  type    = list(string)
  default = []
}

variable "packages" {
  type    = list(string)
  default = []
}

variable "build" {
  type        = string
  default     = "make -j\"$(nproc)\" && make -j\"$(nproc)\" install"
  description = "the commands run in the source folder after configure"
}

variable "env" {
  type    = map(string)
  default = {}
}

locals {
  tarball = regex("[^/]+$", var.url)
  srcdir  = regex("^(.*)\\.tar\\.(gz|bz2)$", local.tarball)[0]
}

step {
  packages = var.packages
}

step {
  workdir = "/var/tmp"
  run     = <<-EOT
    wget -q -nc --no-check-certificate -P /var/tmp ${var.url}
    tar -x -f /var/tmp/${local.tarball} -C /var/tmp
    cd /var/tmp/${local.srcdir}
    ./configure --prefix=${var.prefix} ${join(" ", var.configure_opts)}
    ${var.build}
    rm -rf /var/tmp/${local.srcdir} /var/tmp/${local.tarball}
  EOT
}

step {
  env = var.env
}

output "prefix" {
  value = var.prefix
}
