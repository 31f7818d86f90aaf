environment "alpine" {
  base     = "alpine:3.20"
  packages = ["bash", "curl"]
  user     = "app"
  workdir  = "/home/app/work"
  run      = ["bash", "-l"]
}
