# Python packages as data: pip blocks are steps in author order. The base
# is not Debian (the index is not reachable from the build machines), so
# this case is checked by the parsers and read-backs only.
environment "analysis" {
  base     = "ubuntu:24.04"
  packages = ["python3-pip", "python3-venv"]
  user     = "sim"

  pip {
    packages = ["numpy==1.26.4", "meshio[all]>=5.3"]
  }
  pip {
    packages = ["pyprecice~=3.1"]
    user     = "sim"
  }
  pip {
    packages = ["jupyterlab"]
    venv     = "/opt/lab"
  }

  run = ["/opt/lab/bin/jupyter", "lab", "--ip=0.0.0.0"]
}
