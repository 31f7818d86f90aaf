environment "bookworm" {
  description = "Debian 12 with a compiler toolchain"
  base        = "debian:bookworm"
  packages    = ["build-essential", "cmake", "python3"]
  env = {
    CC  = "gcc"
    CXX = "g++"
  }
  setup   = ["cmake --version > /opt/cmake-version"]
  workdir = "/opt"
  run     = ["cat", "/opt/cmake-version"]
}
