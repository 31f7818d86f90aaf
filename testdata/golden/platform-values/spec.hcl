# Language v3, values per platform: an env or build_env step with
# platforms gives its variables those values on those platforms alone.
# Two such steps give one variable a value per platform; a platform with
# none keeps the earlier value, or none.
envc {
  ignore = ["singularity-platforms-ignored", "vagrant-platforms-ignored"]
}

environment "platform-values" {
  base      = "debian:bookworm"
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]

  env = {
    LIBDIR = "/usr/lib"
  }
  run = ["sh", "-c", "echo \"$PLATFORM $TRIPLET\""]

  step {
    build_env = { JOBS = "2" }
  }
  # The run-time value per platform, as BuildKit names the platform.
  step {
    platforms = ["linux/amd64"]
    env       = { PLATFORM = "linux/amd64", TRIPLET = "x86_64-linux-gnu" }
  }
  step {
    platforms = ["linux/arm64"]
    env       = { PLATFORM = "linux/arm64", TRIPLET = "aarch64-linux-gnu" }
  }
  # linux/arm/v7 sets PLATFORM alone: its TRIPLET is none.
  step {
    platforms = ["linux/arm/v7"]
    env       = { PLATFORM = "linux/arm/v7" }
  }
  step {
    run = "echo \"$PLATFORM $${TRIPLET:-none} $JOBS\" > /etc/platform"
  }
  step {
    platforms = ["linux/arm64"]
    run       = "echo arm64 > /etc/envc-arch"
  }
  # A value of the build alone on two platforms; linux/amd64 keeps none.
  step {
    platforms = ["linux/arm64", "linux/arm/v7"]
    build_env = { CFLAGS = "-O1" }
  }
  step {
    run = "echo \"$${CFLAGS:-none}\" > /etc/cflags"
  }
}
