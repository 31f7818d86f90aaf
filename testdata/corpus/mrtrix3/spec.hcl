# MRtrix3 container (MRtrix3/mrtrix3 Dockerfile), re-expressed for envc v2.
# Upstream: MRtrix3 compiled in a buildpack-deps:bookworm stage, four more stages that
# download minified ART, ANTs, FreeSurfer and FSL payloads, and a python:3.8-slim runtime.

# upstream: build ARGs
variable "mrtrix3_git_commitish" {
  type    = string
  default = "master"
}
variable "mrtrix3_configure_flags" {
  type    = string
  default = ""
}
variable "mrtrix3_build_flags" {
  type    = string
  default = "-persistent -nopaginate"
}
variable "make_jobs" {
  type    = number
  default = 1
}

# upstream: FROM buildpack-deps:bookworm AS base-builder (curl, git, compilers, -dev headers)
environment "builder" {
  description = "Build and download stage base for MRtrix3 and its neuroimaging payloads"
  base        = "buildpack-deps:bookworm"
  os          = "debian:12"

  packages = [
    "libeigen3-dev", "libfftw3-dev", "libgl1-mesa-dev", "libpng-dev", "libqt5opengl5-dev",
    "libqt5svg5-dev", "libtiff5-dev", "python3", "qtbase5-dev", "zlib1g-dev",
  ]
}

environment "mrtrix3" {
  description = "MRtrix3 with minified ART ACPCdetect, ANTs, FSL and the FreeSurfer colour table"
  base        = "debian:bookworm" # upstream: python:3.8-slim (Debian bookworm + CPython 3.8)

  stage "mrtrix3" {
    from = environment.builder
    step {
      workdir = "/opt/mrtrix3"
      env     = { NUMBER_OF_PROCESSORS = tostring(var.make_jobs) }
      run     = <<-EOT
        git clone -b ${var.mrtrix3_git_commitish} --depth 1 https://github.com/MRtrix3/mrtrix3.git .
        python3 ./configure ${var.mrtrix3_configure_flags}
        python3 ./build ${var.mrtrix3_build_flags}
        rm -rf tmp
      EOT
    }
  }
  stage "acpcdetect" {
    from = environment.builder
    step {
      workdir = "/opt/art"
      run     = "curl -fsSL https://osf.io/73h5s/download | tar xz --strip-components 1"
    }
  }
  stage "ants" {
    from = environment.builder
    step {
      workdir = "/opt/ants"
      run     = "curl -fsSL https://osf.io/yswa4/download | tar xz --strip-components 1"
    }
  }
  stage "freesurfer" {
    from = environment.builder
    step {
      workdir = "/opt/freesurfer"
      run     = "curl -fsSLO https://raw.githubusercontent.com/freesurfer/freesurfer/v7.1.1/distribution/FreeSurferColorLUT.txt"
    }
  }
  stage "fsl" {
    from = environment.builder
    step {
      workdir = "/opt/fsl"
      run     = "curl -fsSL https://osf.io/ph9ex/download | tar xz --strip-components 1"
    }
  }

  # runtime libraries
  packages = [
    "dc", "less", "libfftw3-single3", "libfftw3-double3", "libgl1-mesa-glx", "libgomp1",
    "liblapack3", "libpng16-16", "libqt5core5a", "libqt5gui5", "libqt5network5", "libqt5svg5",
    "libqt5widgets5", "libquadmath0", "libtiff5-dev", "python3", "python3-distutils", "procps",
  ]

  step {
    copy {
      from   = stage.acpcdetect
      source = "/opt/art"
      target = "/opt/art"
    }
  }
  step {
    copy {
      from   = stage.ants
      source = "/opt/ants"
      target = "/opt/ants"
    }
  }
  step {
    copy {
      from   = stage.freesurfer
      source = "/opt/freesurfer"
      target = "/opt/freesurfer"
    }
  }
  step {
    copy {
      from   = stage.fsl
      source = "/opt/fsl"
      target = "/opt/fsl"
    }
  }
  step {
    copy {
      from   = stage.mrtrix3
      source = "/opt/mrtrix3"
      target = "/opt/mrtrix3"
    }
  }

  env = {
    ANTSPATH         = "/opt/ants/bin"
    ARTHOME          = "/opt/art"
    FREESURFER_HOME  = "/opt/freesurfer"
    FSLDIR           = "/opt/fsl"
    FSLOUTPUTTYPE    = "NIFTI_GZ"
    FSLMULTIFILEQUIT = "TRUE"
    FSLTCLSH         = "/opt/fsl/bin/fsltclsh"
    FSLWISH          = "/opt/fsl/bin/fslwish"
    PATH             = "/opt/mrtrix3/bin:/opt/ants/bin:/opt/art/bin:/opt/fsl/share/fsl/bin:$PATH"
  }

  # Drop the ABI note from libQt5Core so old host kernels (CentOS 7 under Singularity) load it;
  # binutils is needed only for this and removed again.
  step {
    run = <<-EOT
      apt-get update && apt-get install -y --no-install-recommends binutils
      strip --remove-section=.note.ABI-tag /usr/lib/x86_64-linux-gnu/libQt5Core.so.5
      ldconfig
      apt-get purge -y binutils && rm -rf /var/lib/apt/lists/*
    EOT
  }
  step { run = "ln -s /usr/bin/python3 /usr/bin/python" }

  run = ["/bin/bash"]
  # the strip step names the x86_64 multiarch directory
  platforms = ["linux/amd64"]
}
