# A CUDA image: the tag's suffix names the Ubuntu release inside it.
environment "gpu" {
  base     = "nvidia/cuda:12.4.1-runtime-ubuntu22.04"
  packages = ["python3-pip"]
  env = {
    NVIDIA_VISIBLE_DEVICES     = "all"
    NVIDIA_DRIVER_CAPABILITIES = "compute,utility"
  }
  setup = ["pip3 install --no-cache-dir cupy-cuda12x==13.3.0"]
  run   = ["python3", "-c", "import cupy; print(cupy.cuda.runtime.getDeviceCount())"]
}
