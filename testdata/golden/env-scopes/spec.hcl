# Variables with a scope and a position: env for the build and the run
# command, build_env for the build alone, run_env for the run command
# alone (defaults the caller may override, or null for one the caller
# must give), and env steps that take effect from their place.
environment "scopes" {
  base = "debian:bookworm"

  env = {
    APP_HOME = "/opt/app"
  }
  build_env = {
    DEBIAN_PRIORITY = "critical"
    BUILD_TAG       = "v1-$APP_HOME"
  }
  run_env = {
    OMP_NUM_THREADS = "4"
    DATA_DIR        = "$APP_HOME/data"
    LOG_LEVEL       = "info-$BUILD_TAG"
    HOST_UID        = null
  }

  step {
    run = "echo \"$BUILD_TAG $DEBIAN_PRIORITY\" > /build-tag.txt"
  }
  step {
    env = { STAGE = "after-first" }
  }
  step {
    build_env = { STEP_ONLY = "late" }
  }
  step {
    run = "echo \"$STAGE $STEP_ONLY\" > /stage.txt"
  }

  run = ["/bin/sh", "-c", "echo \"$APP_HOME $STAGE $OMP_NUM_THREADS $DATA_DIR $LOG_LEVEL $${BUILD_TAG:-unset} $${STEP_ONLY:-unset}\""]
}
