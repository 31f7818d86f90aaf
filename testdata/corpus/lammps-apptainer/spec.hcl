# LAMMPS development container (lammps/lammps tools/singularity/ubuntu22.04.def),
# re-expressed for envc -- it needs only language v1. Upstream is an Apptainer/Singularity definition file that
# bootstraps from the ubuntu:22.04 Docker image and is used to compile and test LAMMPS and
# build its manual. Here: debian:bookworm (see NOTES.md).

variable "plumed_version" {
  type    = string
  default = "2.8.0"
}

locals {
  kim_examples = "/usr/share/doc/libkim-api-dev/examples"
  # KIM models and drivers installed system-wide for the KIM package tests
  kim_items = [
    "model-drivers/LennardJones612__MD_414112407348_003",
    "model-drivers/ex_model_driver_P_LJ",
    "portable-models/LennardJones_Ar",
    "portable-models/ex_model_Ar_P_LJ",
    "portable-models/LennardJones612_UniversalShifted__MO_959249795837_003",
    "simulator-models/Sim_LAMMPS_LJcut_AkersonElliott_Alchemy_PbAu",
  ]
}

environment "lammps-dev" {
  description = "Compile, test and document LAMMPS: compilers, MPI, FFTW, HDF5, VTK, KIM API, PLUMED, TeX"
  base        = "debian:bookworm" # upstream: Bootstrap: docker, From: ubuntu:22.04
  labels      = { Author = "akohlmey, rbberger" }

  # upstream adds ppa:openkim/latest for libkim-api-dev and openkim-models; Debian has both in main
  packages = [
    "bc", "build-essential", "ccache", "clang", "clang-format", "cmake", "cmake-curses-gui",
    "curl", "doxygen", "enchant-2", "g++", "gcc", "gfortran", "git", "hdf5-tools", "less",
    "libblas-dev", "libeigen3-dev", "libenchant-2-dev", "libfftw3-dev", "libgsl-dev",
    "libhdf5-serial-dev", "libhwloc-dev", "libjpeg-dev", "liblapack-dev", "libnetcdf-dev",
    "libomp-dev", "libopenblas-dev", "libnuma-dev", "libpng-dev", "libproj-dev",
    "libreadline-dev", "libvtk9-dev", "libyaml-dev", "libzstd-dev", "make", "mpi-default-bin",
    "mpi-default-dev", "ninja-build", "python3-dev", "python3-pip", "python3-pkg-resources",
    "python3-setuptools", "python3-virtualenv", "python3-venv", "rsync", "ssh",
    "texlive", "texlive-latex-recommended", "texlive-formats-extra", "texlive-pictures",
    "texlive-publishers", "texlive-science", "dvipng", "latexmk", "xindy", "vim-nox",
    "virtualenv", "voro++-dev", "wget", "xxd", "valgrind", "gdb", "zstd", "libyaml-cpp-dev",
    "libkim-api-dev", "libkim-api-doc", "openkim-models",
  ]

  # register the KIM example models/drivers system-wide, then build PLUMED from source into /usr
  setup = concat(
    [for item in local.kim_items : "kim-api-collections-management install system ${local.kim_examples}/${item}"],
    [
      <<-EOT
        mkdir -p /tmp/plumed && cd /tmp/plumed
        curl -L -o plumed.tar.gz https://github.com/plumed/plumed2/releases/download/v${var.plumed_version}/plumed-src-${var.plumed_version}.tgz
        tar -xzf plumed.tar.gz
        cd plumed-${var.plumed_version} && ./configure --disable-doc --prefix=/usr && make && make install
        cd / && rm -rf /tmp/plumed
      EOT
    ],
  )

  env = {
    LC_ALL = "C"
    PATH   = "/usr/lib/ccache:$PATH"
    # OpenMPI: no InfiniBand probing, no warnings about unused components (they break tests)
    OMPI_MCA_btl                            = "^openib"
    OMPI_MCA_btl_base_warn_component_unused = "0"
    # upstream writes this prompt into /.singularity.d/env/99-zz_custom_prompt.sh
    PS1 = "[lammps-dev:\\u@\\h] \\W> "
  }

  # upstream usage: `singularity shell` in a LAMMPS checkout, then cmake/make there
  mount {
    source = "."
    target = "/work"
  }
  workdir = "/work"
  run     = ["/bin/bash"]
}
