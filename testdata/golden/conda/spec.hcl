# Conda packages as data: the base image's installer (micromamba, conda
# or mamba) into its base environment or a named one, as root or as a
# user, the environment's bin first on PATH. No conda channel is
# reachable from the build machines, so this case is checked by the
# parsers and read-backs only.
environment "micromamba" {
  base = "mambaorg/micromamba:2.3.2-debian13-slim"

  # As the image's own mambauser, who owns its conda.
  conda {
    packages = ["python=3.12", "numpy>=1.26,<2", "conda-forge::gmsh"]
    channels = ["conda-forge"]
    user     = "mambauser"
  }

  run = ["python", "-c", "import numpy; print(numpy.__version__)"]
}

environment "miniconda" {
  base = "continuumio/miniconda3:25.5.1"

  # environment.yml into a named environment, then more packages into it.
  conda {
    file     = "environment.yml"
    name     = "sim"
    packages = ["meshio"]
    channels = ["conda-forge", "https://conda.example.org/site"]
  }

  run = ["python", "-m", "meshio", "--version"]
}
