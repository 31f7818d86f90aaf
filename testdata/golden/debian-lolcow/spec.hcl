# The lecture's lolcow, on Debian 12 so that it is really built.
environment "lolcow" {
  base     = "debian:bookworm"
  packages = ["fortune-mod", "fortunes-min", "cowsay", "lolcat"]
  env = {
    LC_ALL = "C"
    PATH   = "/usr/games:$PATH"
  }
  run = ["/bin/sh", "-c", "fortune | cowsay | lolcat"]
}
