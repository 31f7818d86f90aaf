# The lecture's Singularity example: fortune piped through cowsay and lolcat.
# (The lecture built from ubuntu:16.04, which is long out of support; this
# spec uses 22.04.)
environment "lolcow" {
  base     = "ubuntu:22.04"
  packages = ["fortune", "cowsay", "lolcat"]

  env = {
    LC_ALL = "C"
    PATH   = "/usr/games:$PATH"
  }

  run = ["/bin/sh", "-c", "fortune | cowsay | lolcat"]
}
