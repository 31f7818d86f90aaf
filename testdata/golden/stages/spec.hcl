# Language v2 stages: throwaway builds whose files copy steps take out.
environment "stages" {
  base = "debian:bookworm"

  # A stage builds on its own base; only what is copied out of it stays.
  stage "build" {
    base     = "debian:bookworm"
    packages = ["file"]
    env = {
      PREFIX = "/build"
    }
    file {
      source = "conf/tool.conf"
      target = "/build/etc/tool.conf"
    }
    # Two variables of the build alone in one step (a Dockerfile writes an ARG for each).
    step {
      build_env = {
        CC  = "gcc-12"
        CXX = "g++-12"
      }
    }
    step {
      run = "mkdir -p \"$PREFIX/bin\" \"$PREFIX/share/doc\" && printf '#!/bin/sh\\necho tool ok\\n' > \"$PREFIX/bin/tool\" && echo notes > \"$PREFIX/share/doc/notes.txt\" && echo readme > \"$PREFIX/share/README\" && echo \"$CC $CXX\" > \"$PREFIX/share/doc/compilers.txt\""
    }
    # Per-target steps in a stage (their files are not copied out, so every target ends the same).
    step {
      only = ["vagrant"]
      run  = "echo on the machine > /build/target.txt"
    }
    step {
      except = ["vagrant"]
      run    = "echo in a container > /build/target.txt"
    }
  }

  # A stage built on an earlier stage, copying from another.
  stage "docs" {
    from = stage.build
    step {
      run = "cat /build/share/doc/notes.txt > /build/share/doc/index.txt"
    }
  }

  stage "extra" {
    base = "debian:bookworm"
    step {
      copy {
        from   = stage.build
        source = "/build/share/README"
        target = "/extra/README"
      }
    }
    step {
      run = "echo extra >> /extra/README"
    }
  }

  user "sim" {
    uid = 1000
  }

  step {
    copy {
      from   = stage.build
      source = "/build/bin/tool"
      target = "/usr/local/bin/tool"
      mode   = "0755"
    }
  }
  step {
    copy {
      from   = stage.docs
      source = "/build/share"
      target = "/opt/tool/share"
      owner  = "sim"
    }
  }
  step {
    copy {
      from   = stage.extra
      source = "/extra/README"
      target = "/opt/tool/README"
      owner  = "sim"
      mode   = "0640"
    }
  }
  step {
    copy {
      from   = stage.build
      source = "/build/etc/tool.conf"
      target = "/etc/tool.conf"
    }
  }

  platforms = ["linux/amd64", "linux/arm64"]
  run       = ["/usr/local/bin/tool"]
}
