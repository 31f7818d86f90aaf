# StructuralAnalysis (GWMcElfresh/StructuralAnalysis Dockerfile), re-expressed for envc.
# Upstream: FROM nvidia/cuda:11.7.1-devel-ubuntu20.04, a toolchain PPA, MGLTools, Miniconda
# with three conda environments (OpenMM + AmberTools, Vina, Mordred) and a uv venv for Boltz.
# Here the base is debian:bookworm; see NOTES.md.

environment "structural" {
  description = "GPU molecular dynamics and docking: OpenMM, AmberTools, AutoDock Vina, Mordred, Boltz"
  base        = "debian:bookworm" # upstream: nvidia/cuda:11.7.1-devel-ubuntu20.04

  # upstream adds ppa:ubuntu-toolchain-r/test for gcc-11; Debian 12 ships gcc 12
  packages = [
    "build-essential", "libboost-all-dev", "swig", "sudo", "cmake", "gfortran", "wget", "curl",
    "git", "libnetcdf-dev", "libopenmpi-dev", "openmpi-bin", "libgl1", "vim", "tk-dev", "tcl-dev",
    "ca-certificates",
  ]

  env = {
    PATH = "/opt/conda/bin:/opt/mgltools_x86_64Linux2_1.5.7/bin:/opt/mgltools_x86_64Linux2_1.5.7/MGLToolsPckgs/AutoDockTools/Utilities24:$${PATH}"
    # what the CUDA base image sets for the NVIDIA container runtime
    NVIDIA_VISIBLE_DEVICES     = "all"
    NVIDIA_DRIVER_CAPABILITIES = "compute,utility"
  }

  # MGLTools (AutoDockTools), from its vendor's archive
  step {
    workdir = "/opt"
    run     = <<-EOT
      wget -q https://ccsb.scripps.edu/mgltools/download/491/mgltools_x86_64Linux2_1.5.7p1.tar.gz
      tar -xzf mgltools_x86_64Linux2_1.5.7p1.tar.gz
      cd mgltools_x86_64Linux2_1.5.7 && yes yes | ./install.sh
      rm ../mgltools_x86_64Linux2_1.5.7p1.tar.gz
    EOT
  }

  # Miniconda into /opt/conda
  step {
    workdir = "/opt"
    run     = "wget -q https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh -O miniconda.sh && bash miniconda.sh -b -p /opt/conda && rm miniconda.sh && conda config --set always_yes yes"
  }

  # the openmm-env environment
  step {
    run   = <<-EOT
      conda create -n openmm-env python=3.12
      conda install -n openmm-env -c conda-forge openmm ambertools mdtraj numpy scipy pandas matplotlib seaborn mdanalysis libstdcxx-ng
      ln -sf /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /opt/conda/envs/openmm-env/lib/
    EOT
  }

  # the vina and mordred environments (upstream: SHELL ["bash", "-c"] and source conda.sh)
  step {
    run   = <<-EOT
      source /opt/conda/etc/profile.d/conda.sh
      conda create -n vina python=3.12
      conda activate vina
      conda config --env --add channels conda-forge
      conda install -c conda-forge numpy swig boost-cpp libboost sphinx sphinx_rtd_theme
      pip install vina
      conda create -n mordred python=3.12
      conda activate mordred
      conda config --env --add channels conda-forge
      conda install -c rdkit -c mordred-descriptor mordred
    EOT
  }

  # Boltz in a uv virtual environment
  step {
    run   = <<-EOT
      pip install uv
      cd / && git clone https://github.com/jwohlwend/boltz.git
      uv venv /boltz_venv --python 3.12
      . /boltz_venv/bin/activate
      cd /boltz && uv pip install -e .
    EOT
  }

  # upstream: echo "conda activate openmm-env" >> ~/.bashrc; here a sourced script, so the
  # run command and every shell (not only bash's interactive ones) are in openmm-env
  step {
    copy {
      source = "activate-openmm.sh"
      target = "/etc/profile.d/activate-openmm.sh"
    }
  }
  source = ["/etc/profile.d/activate-openmm.sh"]

  # upstream: SHELL ["bash", "-c"] for the later RUNs
  shell = "bash"

  # verify the install
  step {
    run   = "source /opt/conda/etc/profile.d/conda.sh && conda activate openmm-env && python3 -c 'import openmm; print(openmm.version.version)'"
  }

  # the GPUs the CUDA base image is for (docker run --gpus all, apptainer run --nv)
  gpu {
    vendor       = "nvidia"
    capabilities = ["compute", "utility"]
  }

  workdir = "/workspace"
  run     = ["/bin/bash"]
}
