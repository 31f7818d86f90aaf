# pip and pipx from a site's own package index. The end-to-end suite
# builds this case: it serves the wheels Debian ships (pip, setuptools,
# wheel) and an application of its own, envc-e2e-hello, as a PEP 503
# index over plain HTTP on the host, and gives its URL in
# ENVC_VAR_pip_index. The host of a plain-HTTP index must be trusted.
variable "pip_index" {
  type    = string
  default = "http://pypi.internal.example:8080/simple"
}

locals {
  index_host = regex("^https?://([^/]+)", var.pip_index)[0]
}

environment "pyindex" {
  base     = "debian:bookworm"
  packages = ["python3-venv", "pipx"]

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

  # The site's application for every user: /usr/local/bin/envc-e2e-hello,
  # its venv under /opt/pipx. pipx makes its shared libraries' venv
  # (pip, setuptools, wheel) from the same index.
  pipx {
    packages      = ["envc-e2e-hello==1.0"]
    index_url     = var.pip_index
    trusted_hosts = [local.index_host]
  }

  run = ["envc-e2e-hello", "from", "the run command"]
}
