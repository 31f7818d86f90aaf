# The environment of a research group's analysis, kept as one diffable
# recipe; the files envc makes from it are committed under env/ and CI
# checks that they are current (github-workflow.yml, pre-commit-config.yaml).
envc {
  # The image does not publish the port by itself, nor does Apptainer:
  # both are known and accepted here.
  ignore = ["llb-port-host-binding", "singularity-port-declared"]
}

environment "analysis" {
  description = "Python for the group's analysis scripts"
  base        = "debian:bookworm"
  packages    = ["python3-minimal"]

  env = {
    PYTHONDONTWRITEBYTECODE = "1"
  }

  file {
    source = "analyse.py"
    target = "/opt/analysis/analyse.py"
    mode   = "0755"
  }

  port {
    guest = 8888
  }

  run = ["python3", "/opt/analysis/analyse.py"]
}
