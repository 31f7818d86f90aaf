# A language image: python's tag names the Debian release it is built on.
environment "analysis" {
  base     = "python:3.12-slim-bookworm"
  packages = ["gcc", "libhdf5-dev"]
  setup    = ["pip install --no-cache-dir h5py==3.11.0"]
  workdir  = "/work"
  run      = ["python", "-c", "import h5py; print(h5py.version.info)"]
}
