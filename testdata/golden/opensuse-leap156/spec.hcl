environment "leap" {
  base     = "opensuse/leap:15.6"
  packages = ["gcc", "gcc-fortran", "make"]
  setup    = ["gfortran --version"]
  port {
    guest = 2222
    host  = 22222
  }
}
