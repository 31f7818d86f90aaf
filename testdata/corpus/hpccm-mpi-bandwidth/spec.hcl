# MPI Bandwidth (NVIDIA/hpc-container-maker recipes/mpi_bandwidth.py), re-expressed for envc.
# Upstream is an HPC Container Maker recipe: HPCCM's building blocks (GNU compilers, Mellanox
# OFED, UCX, SLURM PMI2, OpenMPI built against them) in a build stage, LLNL's mpi_bandwidth
# compiled with mpicc, then a runtime stage with the runtime parts of each block and the
# binary. HPCCM writes a Dockerfile or a Singularity definition from it; the image is meant to
# be started by the host's MPI launcher, one container per rank.
# Upstream base: centos:7 (both stages). Here: debian:bookworm (see NOTES.md).

variable "ucx_version" {
  type    = string
  default = "1.9.0" # HPCCM's ucx() default
}
variable "slurm_version" {
  type    = string
  default = "21.08.8" # HPCCM's slurm_pmi2() default
}
variable "openmpi_version" {
  type    = string
  default = "4.0.5" # HPCCM's openmpi() default
}

locals {
  ucx_prefix = "/usr/local/ucx"
  pmi_prefix = "/usr/local/slurm-pmi2"
  mpi_prefix = "/usr/local/openmpi"
  # HPCCM: the download URLs of each block, vMAJOR.MINOR in OpenMPI's path
  openmpi_series = regex("^[0-9]+\\.[0-9]+", var.openmpi_version)

  # the variables HPCCM sets for each block, in the build stage and the runtime image
  ucx_env = {
    PATH            = "${local.ucx_prefix}/bin:$PATH"
    LD_LIBRARY_PATH = "${local.ucx_prefix}/lib"
  }
  pmi_env = {
    CPATH           = "${local.pmi_prefix}/include/slurm"
    LD_LIBRARY_PATH = "${local.pmi_prefix}/lib:${local.ucx_prefix}/lib"
  }
  mpi_env = {
    PATH            = "${local.mpi_prefix}/bin:${local.ucx_prefix}/bin:$PATH"
    LD_LIBRARY_PATH = "${local.mpi_prefix}/lib:${local.pmi_prefix}/lib:${local.ucx_prefix}/lib"
  }
  # what Stage0.runtime() copies out of the build stage
  runtime_prefixes = [local.ucx_prefix, local.pmi_prefix, local.mpi_prefix]
}

environment "mpi-bandwidth" {
  description = "MPI Bandwidth: OpenMPI with UCX and SLURM PMI2, for the host's MPI launcher"
  base        = "debian:bookworm" # upstream: centos:7

  stage "build" {
    base = "debian:bookworm" # upstream: centos:7 AS build

    # gnu(fortran=False): the distribution's C and C++ compilers
    packages = ["gcc", "g++"]

    # mlnx_ofed(): the verbs and RDMA user space (upstream: Mellanox's own packages)
    step {
      packages = ["libibverbs-dev", "librdmacm-dev", "ibverbs-providers", "ibverbs-utils", "libnl-3-200", "libnl-route-3-200"]
    }

    # ucx(cuda=False)
    module "ucx" {
      source   = "./modules/autotools.hcl"
      url      = "https://github.com/openucx/ucx/releases/download/v${var.ucx_version}/ucx-${var.ucx_version}.tar.gz"
      prefix   = local.ucx_prefix
      packages = ["binutils-dev", "file", "libnuma-dev", "make", "wget", "ca-certificates"]
      configure_opts = [
        "--enable-optimizations", "--disable-logging", "--disable-debug", "--disable-assertions",
        "--disable-params-check", "--disable-doxygen-doc", "--without-cuda",
      ]
      env = local.ucx_env
    }

    # slurm_pmi2(): configure SLURM, build and install only its PMI2 library
    module "pmi2" {
      source   = "./modules/autotools.hcl"
      url      = "https://download.schedmd.com/slurm/slurm-${var.slurm_version}.tar.bz2"
      prefix   = local.pmi_prefix
      packages = ["bzip2", "file", "make", "perl", "tar", "wget"]
      build    = "make -C contribs/pmi2 install"
      env      = local.pmi_env
    }

    # openmpi(cuda=False, infiniband=False, pmi=..., ucx=...)
    module "openmpi" {
      source   = "./modules/autotools.hcl"
      url      = "https://www.open-mpi.org/software/ompi/v${local.openmpi_series}/downloads/openmpi-${var.openmpi_version}.tar.bz2"
      prefix   = local.mpi_prefix
      packages = ["bzip2", "file", "hwloc", "libnuma-dev", "make", "openssh-client", "perl", "tar", "wget"]
      configure_opts = [
        "--disable-getpwuid", "--enable-orterun-prefix-by-default", "--without-cuda",
        "--with-pmi=${module.pmi2.prefix}", "--without-verbs", "--with-ucx=${module.ucx.prefix}",
      ]
      env = local.mpi_env
    }

    # the application
    step {
      run = <<-EOT
        wget -q -nc --no-check-certificate -P /var/tmp https://hpc-tutorials.llnl.gov/mpi/examples/mpi_bandwidth.c
        mpicc -o /usr/local/bin/mpi_bandwidth /var/tmp/mpi_bandwidth.c
      EOT
    }
  }

  # Stage1: the runtime parts of each block (gnu: libgomp; mlnx_ofed: the same user space;
  # ucx: libbinutils; openmpi: hwloc, openssh-client), the prefixes and the binary
  packages = [
    "libgomp1", "libibverbs1", "librdmacm1", "ibverbs-providers", "libnl-3-200",
    "libnl-route-3-200", "libbinutils", "libnuma1", "hwloc", "openssh-client",
  ]

  step {
    for_each = toset(local.runtime_prefixes)
    copy {
      from   = stage.build
      source = each.value
      target = each.value
    }
  }
  step {
    env = local.mpi_env
  }
  step {
    copy {
      from   = stage.build
      source = "/usr/local/bin/mpi_bandwidth"
      target = "/usr/local/bin/mpi_bandwidth"
      mode   = "0755"
    }
  }

  # upstream's docstring: `mpirun -n 2 singularity run mpi_bw.sif mpi_bandwidth` with a
  # compatible host MPI, or `srun -n 2 --mpi=pmi2 singularity run ...`
  hpc {
    mpi = "hybrid"
  }

  run = ["mpi_bandwidth"]
}
