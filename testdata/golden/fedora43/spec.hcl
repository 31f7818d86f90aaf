environment "fedora" {
  base     = "fedora:43"
  packages = ["python3-numpy", "python3-scipy"]
  run      = ["python3", "-c", "import scipy; print(scipy.__version__)"]
  vm {
    cpus   = 2
    memory = 2048
  }
}
