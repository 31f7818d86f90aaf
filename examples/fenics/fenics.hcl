variable "tag" {
  type    = string
  default = "current"
}

locals {
  tools = ["git", "vim"]
}

environment "fenics" {
  description = "FEniCS with a notebook server"
  base        = "quay.io/fenicsproject/stable:${var.tag}"
  os          = "ubuntu:20.04" # the distro inside base, needed only when base's name does not say it

  packages = concat(local.tools, ["python3-pip"])

  env = {
    OMP_NUM_THREADS = "1"
    PATH            = "/home/fenics/.local/bin:$PATH"
  }

  file {
    source = "notebooks/intro.ipynb" # relative to the spec file
    target = "/home/fenics/intro.ipynb"
    mode   = "0644"
  }

  setup = [
    "pip3 install --no-cache-dir meshio",
  ]

  workdir = "/home/fenics/shared"
  user    = "fenics"

  mount {
    source    = "."
    target    = "/home/fenics/shared"
    read_only = false
  }

  port {
    guest    = 8000
    host     = 8000        # defaults to guest
    host_ip  = "127.0.0.1" # optional
    protocol = "tcp"       # tcp or udp
  }

  run    = ["jupyter", "notebook", "--ip=0.0.0.0", "--port=8000"]
  labels = { maintainer = "sim-group" }

  vm {
    box    = "ubuntu/focal64" # defaults from the distro catalogue
    cpus   = 2
    memory = 2048 # MiB
    name   = "fenics"
  }
}
