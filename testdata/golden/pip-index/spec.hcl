# pip from a site's own package index. The end-to-end suite builds this
# case: it serves the wheels Debian ships (pip, setuptools, wheel) as a
# PEP 503 index over plain HTTP on the host, and gives its URL in
# ENVC_VAR_pip_index. The host of a plain-HTTP index must be trusted.
# (pipx is not built here: the index holds no application pipx would
# take, as pipx's own shared libraries are pip, setuptools and wheel.)
variable "pip_index" {
  type    = string
  default = "http://pypi.internal.example:8080/simple"
}

locals {
  index_host = regex("^https?://([^/]+)", var.pip_index)[0]
}

environment "pyindex" {
  base     = "debian:bookworm"
  packages = ["python3-venv"]

  # wheel into a virtual environment, from the index alone, within the
  # site's constraints.
  pip {
    packages      = ["wheel"]
    venv          = "/opt/tools"
    index_url     = var.pip_index
    trusted_hosts = [local.index_host]
    no_binary     = ":none:"
    constraints   = "constraints.txt"
    env           = { PIP_DISABLE_PIP_VERSION_CHECK = "1" }
  }

  run = ["/opt/tools/bin/wheel", "version"]
}
