# MindaGap (ViriatoII/MindaGap Dockerfile), re-expressed for envc.
# Upstream: FROM mambaorg/micromamba:1.0.0 (Debian bullseye-slim), env.yml installed into the
# base conda environment as the image's mambauser, the tool's sources copied to /mindagap.
# Here the base is debian:bookworm; see NOTES.md.

environment "mindagap" {
  description = "MindaGap: fill the grid gaps of Resolve Biosciences Molecular Cartography panoramas"
  base        = "debian:bookworm" # upstream: mambaorg/micromamba:1.0.0

  packages = ["ca-certificates", "curl", "bzip2"]

  # upstream's image ships mambauser (UID 57439 since micromamba-docker 1.5.0) and /opt/conda
  user "mambauser" {
    uid   = 57439
    gid   = 57439
    home  = "/home/mambauser"
    shell = "/bin/bash"
  }

  env = {
    MAMBA_ROOT_PREFIX = "/opt/conda"
    PATH              = "/opt/conda/bin:$${PATH}"
  }

  # the micromamba binary, which the upstream base image brings
  step {
    run = "curl -fsSL https://micro.mamba.pm/api/micromamba/linux-64/1.0.0 | tar -xj -C /usr/local bin/micromamba && install -d -o mambauser -g mambauser /opt/conda"
  }

  # COPY --chown=$MAMBA_USER:$MAMBA_USER env.yml /tmp/env.yaml
  step {
    copy {
      source = "mindagap/env.yml"
      target = "/tmp/env.yaml"
      owner  = "mambauser"
    }
  }

  # RUN micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes
  # (run in /mindagap, which makes the folder the user's before the copy below, as upstream's
  # WORKDIR as mambauser does)
  step {
    user    = "mambauser"
    workdir = "/mindagap"
    run     = "micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes"
  }

  # the image's activation (ARG MAMBA_DOCKERFILE_ACTIVATE=1 for later RUNs, _entrypoint.sh
  # for docker run): micromamba's shell hook and the base environment, sourced in bash by
  # every later step, the run command and shells
  step {
    copy {
      source = "_activate_current_env.sh"
      target = "/usr/local/bin/_activate_current_env.sh"
    }
  }
  source = ["/usr/local/bin/_activate_current_env.sh"]
  shell  = "bash"

  # WORKDIR /mindagap; COPY . . (the checkout: a folder)
  step {
    copy {
      source = "mindagap"
      target = "/mindagap"
    }
  }

  # RUN version=$(python mindagap.py -v) && echo "version=$version" >> /version.txt
  step {
    workdir = "/mindagap"
    run     = "version=$(python mindagap.py -v) && echo \"version=$version\" >> /version.txt && chmod a+r /version.txt"
  }

  user    = "mambauser"
  workdir = "/mindagap"
  run     = ["python", "mindagap.py", "--help"]
}
