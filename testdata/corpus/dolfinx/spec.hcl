# FEniCS DOLFINx images (FEniCS/dolfinx docker/Dockerfile.test-env and Dockerfile.end-user),
# re-expressed for envc v2: the development environment with PETSc/SLEPc in three
# configurations, DOLFINx built on top of it in real and complex mode, and the JupyterLab image.
#
# Upstream base: ubuntu:26.04. Here: debian:bookworm (see NOTES.md).

# upstream: ARGs with defaults; here compile-time variables
variable "petsc_version" {
  type    = string
  default = "3.25.4"
}
variable "slepc_version" {
  type    = string
  default = "3.25.1"
}
variable "kahip_version" {
  type    = string
  default = "3.25"
}
variable "gmsh_version" {
  type    = string
  default = "4_15_2"
}
variable "spdlog_version" {
  type    = string
  default = "1.17.0"
}
variable "doxygen_version" {
  type    = string
  default = "1_17_0"
}
variable "numpy_version" {
  type    = string
  default = "2.4.6"
}
variable "optflags" {
  type        = string
  default     = "-O2"
  description = "compiler optimisation flags for PETSc and SLEPc"
}
variable "petsc_debugging" {
  type    = string
  default = "no"
  validation {
    condition     = contains(["yes", "no"], var.petsc_debugging)
    error_message = "petsc_debugging is yes or no."
  }
}
variable "build_jobs" {
  type    = number
  default = 4
}
variable "dolfinx_build_type" {
  type    = string
  default = "Release"
}

locals {
  petsc_dir = "/usr/local/petsc"
  slepc_dir = "/usr/local/slepc"
  venv      = "/dolfinx-env"

  # the three PETSc configurations of upstream, as PETSC_ARCH => extra configure flags
  petsc_common = "--with-debugging=${var.petsc_debugging} --with-fortran-bindings=no --with-shared-libraries --download-hypre --download-mumps-avoid-mpi-in-place --download-mumps --download-ptscotch --download-scalapack --download-suitesparse --download-superlu_dist --with-precision=double"
  petsc_archs = {
    "linux-gnu-real64-32"     = "--with-64-bit-indices=no --with-scalar-type=real --download-metis --download-spai --download-superlu --COPTFLAGS='${var.optflags}' --CXXOPTFLAGS='${var.optflags}'"
    "linux-gnu-complex128-32" = "--with-64-bit-indices=no --with-scalar-type=complex --download-metis --download-superlu --COPTFLAGS='${var.optflags} -Wno-error=incompatible-pointer-types' --CXXOPTFLAGS='${var.optflags} -Wno-error=incompatible-pointer-types'"
    "linux-gnu-real64-64"     = "--with-64-bit-indices=yes --with-scalar-type=real --COPTFLAGS='${var.optflags}' --CXXOPTFLAGS='${var.optflags}'"
  }
  petsc_arch_list = join(":", keys(local.petsc_archs))

  dolfinx_real_env = {
    PKG_CONFIG_PATH   = "/usr/local/dolfinx-real/lib/pkgconfig:$PKG_CONFIG_PATH"
    CMAKE_PREFIX_PATH = "/usr/local/dolfinx-real/lib/cmake:$CMAKE_PREFIX_PATH"
    PETSC_ARCH        = "linux-gnu-real64-32"
    PYTHONPATH        = "/usr/local/dolfinx-real/lib/python/dist-packages:$PYTHONPATH"
    LD_LIBRARY_PATH   = "/usr/local/dolfinx-real/lib:$LD_LIBRARY_PATH"
  }
}

# ---------------------------------------------------------------------------------------
# apt layer of dev-env: also the toolchain the build-only stages start from
environment "toolchain" {
  description = "Compilers and distribution libraries for FEniCSx"
  base        = "debian:bookworm" # upstream: ubuntu:26.04

  packages = [
    "cmake", "g++", "gfortran", "libboost-dev", "libhdf5-mpi-dev", "liblapack-dev",
    "libopenblas-dev", "libpugixml-dev", "mpi-default-dev", "ninja-build", "pkg-config",
    "python3-dev", "python3-pip", "python3-venv",
    "git", "wget", "ca-certificates",
  ]
}

environment "devenv" {
  description = "FEniCS testing and development environment with PETSc real, complex, 32-bit and 64-bit modes"
  from        = environment.toolchain
  labels = {
    maintainer = "FEniCS Steering Council <fenics-steering-council@googlegroups.com>"
  }

  env = {
    OPENBLAS_NUM_THREADS = "1"
    OPENBLAS_VERBOSE     = "0"
    VIRTUAL_ENV          = local.venv
    PATH                 = "${local.venv}/bin:$PATH"
    # gmsh puts its Python module into /usr/local/lib
    PYTHONPATH = "/usr/local/lib:$PYTHONPATH"
    PETSC_DIR  = local.petsc_dir
    SLEPC_DIR  = local.slepc_dir
  }

  # second apt set: upstream installs these *with* recommends
  step {
    recommends = true
    packages   = ["catch2", "graphviz", "libeigen3-dev", "valgrind"]
  }
  # third apt set: runtime libraries of the gmsh binaries
  step {
    recommends = true
    packages = [
      "libglu1-mesa", "libxcursor-dev", "libxft2", "libxinerama1", "libfltk1.3-dev",
      "libfreetype6-dev", "libgl1-mesa-dev", "libocct-foundation-dev", "libocct-data-exchange-dev",
    ]
  }

  # Doxygen: upstream installs bison/flex, builds, then purges them in one RUN.
  # A build-only stage keeps bison and flex out of the image without the purge.
  stage "doxygen" {
    from = environment.toolchain
    step { packages = ["bison", "flex"] }
    step {
      workdir = "/tmp"
      run     = <<-EOT
        wget -q https://github.com/doxygen/doxygen/archive/refs/tags/Release_${var.doxygen_version}.tar.gz
        tar xzf Release_${var.doxygen_version}.tar.gz
        cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -B build -S doxygen-Release_${var.doxygen_version}
        cmake --build build && cmake --install build --prefix /opt/doxygen
      EOT
    }
  }
  step {
    copy {
      from   = stage.doxygen
      source = "/opt/doxygen/bin/doxygen"
      target = "/usr/local/bin/doxygen"
      mode   = "0755"
    }
  }

  # spdlog from source (the distribution's one is incompatible with CUDA 12 upstream)
  step {
    workdir = "/tmp"
    run     = <<-EOT
      wget -q https://github.com/gabime/spdlog/archive/refs/tags/v${var.spdlog_version}.tar.gz
      tar xzf v${var.spdlog_version}.tar.gz
      cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPDLOG_BUILD_SHARED=ON -DSPDLOG_BUILD_PIC=ON -B build -S spdlog-${var.spdlog_version}
      cmake --build build && cmake --install build && rm -rf /tmp/*
    EOT
  }

  # the virtual environment everything Python goes into
  pip {
    venv     = local.venv # each pip block runs python3 -m venv first, harmless on an existing one
    packages = ["pip", "setuptools", "wheel"]
  }
  pip {
    venv     = local.venv
    packages = ["cython", "numpy==${var.numpy_version}", "mpi4py"]
  }

  # KaHIP and gmsh from source
  step {
    workdir = "/tmp"
    run     = <<-EOT
      wget -q https://github.com/kahip/kahip/archive/v${var.kahip_version}.tar.gz
      tar xf v${var.kahip_version}.tar.gz
      cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DNONATIVEOPTIMIZATIONS=on -B build-kahip -S KaHIP-${var.kahip_version}
      cmake --build build-kahip && cmake --install build-kahip
      git clone -b gmsh_${var.gmsh_version} --single-branch --depth 1 https://gitlab.onelab.info/gmsh/gmsh.git
      cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DENABLE_BUILD_DYNAMIC=1 -DENABLE_OPENMP=1 -B build-gmsh -S gmsh
      cmake --build build-gmsh && cmake --install build-gmsh
      rm -rf /tmp/*
    EOT
  }

  # PETSc in three configurations plus petsc4py. bison/flex are needed while configuring;
  # upstream purges them afterwards (see NOTES.md).
  step { packages = ["bison", "flex"] }
  step {
    shell = "bash"
    run   = <<-EOT
      git clone --depth=1 -b v${var.petsc_version} https://gitlab.com/petsc/petsc.git "$PETSC_DIR"
      cd "$PETSC_DIR"
      %{for arch, flags in local.petsc_archs~}
      ./configure PETSC_ARCH=${arch} --FOPTFLAGS='${var.optflags}' ${local.petsc_common} ${flags}
      make PETSC_ARCH=${arch} -j${var.build_jobs} all
      %{endfor~}
      cd src/binding/petsc4py
      PETSC_ARCH=${local.petsc_arch_list} pip install --no-cache-dir --no-build-isolation .
      rm -rf "$PETSC_DIR"/src "$PETSC_DIR"/docs "$PETSC_DIR"/share "$PETSC_DIR"/*/externalpackages "$PETSC_DIR"/*/obj
    EOT
  }

  # SLEPc for the same three configurations plus slepc4py
  step {
    shell = "bash"
    run   = <<-EOT
      git clone --depth=1 -b v${var.slepc_version} https://gitlab.com/slepc/slepc.git "$SLEPC_DIR"
      cd "$SLEPC_DIR"
      %{for arch, flags in local.petsc_archs~}
      PETSC_ARCH=${arch} ./configure && PETSC_ARCH=${arch} make
      %{endfor~}
      cd src/binding/slepc4py
      PETSC_ARCH=${local.petsc_arch_list} pip install --no-cache-dir --no-build-isolation .
      rm -rf "$SLEPC_DIR"/src "$SLEPC_DIR"/docs "$SLEPC_DIR"/*/obj
    EOT
  }

  workdir = "/root"
}

# ---------------------------------------------------------------------------------------
# DOLFINx in real and complex mode. Upstream builds it from sources in the build context
# through ONBUILD instructions of a "dolfinx-onbuild" image; here a build stage clones them.
environment "dolfinx" {
  description = "DOLFINx in 32-bit real and complex modes"
  from        = environment.devenv

  stage "build" {
    from = environment.devenv
    step {
      workdir = "/src"
      run     = <<-EOT
        for r in basix ufl ffcx dolfinx; do git clone --depth 1 https://github.com/FEniCS/$r.git; done
      EOT
    }
    # empty JIT option files the user may fill in at build time upstream
    file {
      source = "dolfinx_jit_options.json"
      target = "/root/.config/dolfinx/dolfinx_jit_options.json"
    }
    file {
      source = "ffcx_options.json"
      target = "/root/.config/ffcx/ffcx_options.json"
    }
    step {
      workdir = "/src"
      run     = <<-EOT
        cd dolfinx/python && pip install --no-cache-dir --group pyproject.toml:build && pip install --no-cache-dir pyamg pytest scipy matplotlib numba && cd /src
        cmake -G Ninja -DCMAKE_BUILD_TYPE=${var.dolfinx_build_type} -B basix/build-dir -S basix/cpp
        cmake --build basix/build-dir && cmake --install basix/build-dir
        pip install ./basix/python ./ufl ./ffcx ipython
      EOT
    }
    step {
      workdir = "/src/dolfinx"
      shell   = "bash"
      run     = <<-EOT
        set -e
        for mode in real:linux-gnu-real64-32 complex:linux-gnu-complex128-32; do
          name=$${mode%%:*}; arch=$${mode#*:}
          PETSC_ARCH=$arch cmake -G Ninja -B build-$name -S cpp \
            -DCMAKE_INSTALL_PREFIX=/usr/local/dolfinx-$name -DCMAKE_BUILD_TYPE=${var.dolfinx_build_type} \
            -DDOLFINX_ENABLE_PETSC=ON -DDOLFINX_ENABLE_SLEPC=ON -DDOLFINX_ENABLE_SCOTCH=ON -DDOLFINX_ENABLE_KAHIP=ON
          ninja -C build-$name install
          (cd python && PETSC_ARCH=$arch pip install -v --no-build-isolation --check-build-dependencies \
             --config-settings=cmake.build-type=${var.dolfinx_build_type} --config-settings=install.strip=false \
             --target /usr/local/dolfinx-$name/lib/python/dist-packages --no-dependencies --no-cache-dir .)
          git clean -fdx python
        done
      EOT
    }
  }

  # upstream: COPY --from=intermediate of /usr/local, /root/.config and the venv
  step {
    copy {
      from   = stage.build
      source = "/usr/local"
      target = "/usr/local"
    }
  }
  step {
    copy {
      from   = stage.build
      source = "/root/.config"
      target = "/root/.config"
    }
  }
  step {
    copy {
      from   = stage.build
      source = local.venv
      target = local.venv
    }
  }

  # helper scripts that switch a shell between real and complex builds
  file {
    source = "dolfinx-real-mode"
    target = "/usr/local/bin/dolfinx-real-mode"
    mode   = "0755"
  }
  file {
    source = "dolfinx-complex-mode"
    target = "/usr/local/bin/dolfinx-complex-mode"
    mode   = "0755"
  }

  # real mode by default
  env = local.dolfinx_real_env
}

# ---------------------------------------------------------------------------------------
environment "lab" {
  description = "DOLFINx JupyterLab"
  from        = environment.dolfinx

  pip {
    packages = ["jupyter", "jupyterlab"]
  }
  # pyvista's OpenGL dependencies
  step {
    recommends = true
    packages   = ["libgl1-mesa-dev", "mesa-utils"]
  }
  pip {
    packages = ["matplotlib", "vtk>=9.5.0", "pyvista[jupyter]", "jupytext"]
  }

  # kernel specification of the complex build
  file {
    source = "complex-kernel.json"
    target = "/usr/local/share/jupyter/kernels/python3-complex/kernel.json"
  }

  env = {
    SHELL                   = "/bin/bash"
    PYVISTA_JUPYTER_BACKEND = "trame"
  }

  port {
    guest = 8888
  }

  # upstream README: docker run --init -p 8888:8888 -v "$(pwd)":/root/shared dolfinx/lab
  mount {
    source = "."
    target = "/root/shared"
  }

  workdir    = "/root"
  entrypoint = ["jupyter", "lab", "--ip", "0.0.0.0", "--no-browser", "--allow-root"]
  init       = true
  # upstream publishes amd64 and arm64 images (vtk>=9.5.0 is pinned for the aarch64 wheels)
  platforms = ["linux/amd64", "linux/arm64"]
}
