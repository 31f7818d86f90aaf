# MindaGap (ViriatoII/MindaGap Dockerfile), re-expressed for envc.
# Upstream: FROM mambaorg/micromamba:1.0.0 (Debian bullseye-slim), env.yml installed into the
# base conda environment as the image's mambauser, the tool's sources copied to /mindagap.
# The base is upstream's: the catalogue knows the image has micromamba (see NOTES.md).

environment "mindagap" {
  description = "MindaGap: fill the grid gaps of Resolve Biosciences Molecular Cartography panoramas"
  base        = "mambaorg/micromamba:1.0.0"

  # COPY env.yml /tmp/env.yaml; RUN micromamba install -y -n base -f /tmp/env.yaml &&
  # micromamba clean --all --yes (the image's micromamba, into its base environment /opt/conda,
  # as the image's mambauser, who owns it; /opt/conda/bin goes first on PATH)
  conda {
    file = "mindagap/env.yml"
    user = "mambauser"
  }

  # ARG MAMBA_DOCKERFILE_ACTIVATE=1 (later RUNs) and the image's _entrypoint.sh (docker run):
  # the image's own activation script, sourced in bash by every later step, the run command
  # and shells
  source = ["/usr/local/bin/_activate_current_env.sh"]
  shell  = "bash"

  # WORKDIR /mindagap as the image's mambauser (BuildKit makes the folder the user's); COPY . .
  # (the checkout: a folder, as root, as upstream's COPY without --chown)
  step {
    run = "install -d -o mambauser -g mambauser /mindagap"
  }
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

  # the image's mambauser (USER $MAMBA_USER in the base image)
  user    = "mambauser"
  workdir = "/mindagap"
  run     = ["python", "mindagap.py", "--help"]
}
