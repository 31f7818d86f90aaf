# ANTs, Advanced Normalization Tools (ANTsX/ANTs Dockerfile), re-expressed for envc: a
# two-stage C++ release build. The builder compiles the checkout with CMake and Ninja and runs
# the test suite; the released image is the slim base with bc and the installed tree.
# Upstream base: docker.io/library/debian:bookworm-slim (Debian 12), kept as it is.

# upstream: ARG BUILD_SHARED_LIBS=ON (a build argument; here chosen when compiling the spec)
variable "build_shared_libs" {
  type    = string
  default = "ON"
  validation {
    condition     = contains(["ON", "OFF"], var.build_shared_libs)
    error_message = "build_shared_libs is ON or OFF, as CMake's BUILD_SHARED_LIBS."
  }
}

locals {
  prefix = "/opt/ants"
  src    = "/usr/local/src/ants"
  base   = "docker.io/library/debian:bookworm-slim"
  # the upstream ENV of both stages, written out: LD_LIBRARY_PATH is unset in the base image
  ants_env = {
    PATH            = "${local.prefix}/bin:$PATH"
    LD_LIBRARY_PATH = "${local.prefix}/lib"
  }
}

environment "ants" {
  description = "ANTs is part of the ANTsX ecosystem (https://github.com/ANTsX). ANTs Citation: https://pubmed.ncbi.nlm.nih.gov/24879923"
  base        = local.base

  stage "builder" {
    base       = local.base
    recommends = true # upstream's plain apt-get install -y
    packages   = ["g++-11", "cmake", "make", "ninja-build", "git"]

    step {
      run = "git config --global url.'https://'.insteadOf 'git://'"
    }

    # COPY . /usr/local/src/ants, minus what upstream's .dockerignore leaves out
    file {
      source = "ants-src"
      target = local.src
      exclude = [
        "*.sample", "*~", "*.[oa]", ".DS_Store", "._*", ".nfs*", "*.nii.gz", "*.nrrd", "*.nhdr",
        "*.raw", "CMakeCache.txt", "CMakeFiles/*", ".RData", ".Rhistory", ".RDataTmp",
        ".ExternalData_SHA512*", "*.pyc", "crash*", ".*.swp", "bin", "build", "*.orig", "*.bak",
      ]
    }

    # upstream: ARG CC=gcc-11 CXX=g++-11, seen by the build's commands alone
    step {
      build_env = { CC = "gcc-11", CXX = "g++-11" }
    }

    step {
      workdir = "/build"
      run     = <<-EOT
        cmake -GNinja -DBUILD_TESTING=ON -DRUN_LONG_TESTS=ON -DRUN_SHORT_TESTS=ON \
          -DBUILD_SHARED_LIBS=${var.build_shared_libs} -DCMAKE_INSTALL_PREFIX=${local.prefix} \
          ${local.src}
      EOT
    }
    step {
      workdir = "/build"
      run     = "cmake --build . --parallel"
    }
    step {
      workdir = "/build/ANTS-build"
      run     = "cmake --install ."
    }

    step {
      env = local.ants_env
    }

    # the test suite, against the installed tree
    step {
      workdir = "/build/ANTS-build"
      run     = "cmake --build . --target test"
    }
  }

  # the released image
  packages = ["bc"]
  env      = local.ants_env

  step {
    copy {
      from   = stage.builder
      source = local.prefix
      target = local.prefix
    }
  }

  labels = {
    "org.opencontainers.image.authors"     = "ANTsX team"
    "org.opencontainers.image.url"         = "https://stnava.github.io/ANTs/"
    "org.opencontainers.image.source"      = "https://github.com/ANTsX/ANTs"
    "org.opencontainers.image.licenses"    = "Apache License 2.0"
    "org.opencontainers.image.title"       = "Advanced Normalization Tools"
  }

  # upstream sets no CMD: the base image's bash
  run = ["bash"]
}
