# The preCICE coupling library built from source with CMake against a
# given MPI, and a profile script (beside this file) that sets its paths.

variable "version" {
  type    = string
  default = "3.1.2"
}

variable "mpi_prefix" {
  type        = string
  description = "the prefix of the MPI to build against"
}

variable "prefix" {
  type    = string
  default = "/opt/precice"
}

variable "build_type" {
  type    = string
  default = "Release"

  validation {
    condition     = contains(["Release", "Debug", "RelWithDebInfo"], var.build_type)
    error_message = "build_type is Release, Debug or RelWithDebInfo."
  }
}

step {
  packages = ["cmake", "git", "pkg-config", "libeigen3-dev", "libboost-all-dev", "libxml2-dev", "python3-dev", "python3-numpy"]
}

step {
  shell = "bash"
  env = {
    CMAKE_PREFIX_PATH = var.mpi_prefix
  }
  run = <<-EOT
    cd /tmp && wget -q https://github.com/precice/precice/archive/v${var.version}.tar.gz -O precice.tar.gz
    tar -xzf precice.tar.gz && cd precice-${var.version}
    cmake -S . -B build -DCMAKE_BUILD_TYPE=${var.build_type} -DCMAKE_INSTALL_PREFIX=${var.prefix} -DPRECICE_FEATURE_PETSC_MAPPING=OFF -DBUILD_TESTING=OFF
    cmake --build build -j"$(nproc)" && cmake --install build
    cd /tmp && rm -rf precice-${var.version} precice.tar.gz
  EOT
}

# Relative to this module's folder, not to the spec's.
step {
  copy {
    source = "precice-env.sh"
    target = "/etc/profile.d/precice.sh"
  }
}

step {
  env = {
    PRECICE_VERSION = var.version
    PKG_CONFIG_PATH = "${var.prefix}/lib/pkgconfig"
  }
}

output "prefix" {
  value = var.prefix
}
