environment "rocky" {
  base     = "rockylinux:9"
  packages = ["gcc-c++", "make", "openmpi-devel"]
  env = {
    PATH = "/usr/lib64/openmpi/bin:$PATH"
  }
  user = "sim"
  run  = ["mpirun", "--version"]
}
