# Folders of the build context, copied whole or filtered by glob
# patterns: each file keeps its mode (git keeps 0644 and 0755), folders
# are 0755, an owner owns what is copied.
environment "folders" {
  base = "debian:bookworm"
  user = "sim"

  # The whole folder, less what exclude leaves out: the cache folder and
  # the notes.
  file {
    source  = "conf"
    target  = "/etc/app"
    exclude = ["cache", "*.md"]
  }

  step {
    copy {
      source  = "tools"
      target  = "/home/sim/tools"
      owner   = "sim"
      include = ["*.sh"]
    }
  }

  step {
    copy {
      source = "tools"
      target = "/opt/tools"
    }
  }

  run = ["/home/sim/tools/run.sh"]
}
