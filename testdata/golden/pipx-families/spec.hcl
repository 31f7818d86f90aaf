# pipx from each distribution family that packages it: the distribution's
# pipx, then the applications into /opt/pipx with their programs in
# /usr/local/bin. Checked by the parsers and read-backs only (Debian's is
# built by the pip-index case).
environment "ubuntu" {
  base = "ubuntu:24.04"
  pipx {
    packages = ["black==24.8.0", "ruff"]
  }
}

environment "fedora" {
  base = "fedora:43"
  pipx {
    packages = ["black==24.8.0"]
  }
}

environment "alpine" {
  base = "alpine:3.20"
  pipx {
    packages = ["black==24.8.0"]
  }
}
