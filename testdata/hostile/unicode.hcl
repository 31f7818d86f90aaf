# Characters POSIX sh has no escape for, and some that reorder or hide
# text (a tab, a no-break space, zero-width and bidi controls, a byte
# order mark), in every place a string goes: each target carries them as
# the same literal, or the compiler refuses them at the value. A seed of
# FuzzCompile.
environment "odd" {
  base        = "debian:bookworm"
  description = "odd\u00a0text\u200bwith\u202econtrols"
  packages    = ["python3-venv", "python3-pip"]
  env = {
    TAB  = "a\tb"
    NBSP = "a\u00a0b"
    ZW   = "a\u200b\u200c\u200db"
    BIDI = "a\u202e\u2066b\u2069"
    BOM  = "\ufeffx"
  }
  labels = {
    "org.example.odd" = "v\u00a0\u200b\u202e"
  }
  user    = "sim"
  workdir = "/srv/w\u00a0d\u200b"

  user "sim" {
    home  = "/home/s\u200bim"
    shell = "/bin/s\u00a0h"
  }

  stage "tool" {
    base  = "debian:bookworm"
    setup = ["printf 'odd\\n' > /tool.txt"]
  }
  step {
    copy {
      from   = stage.tool
      source = "/tool.txt"
      target = "/opt/\u202eodd\u200b.txt"
      owner  = "sim"
    }
  }

  pip {
    packages = ["numpy"]
    venv     = "/opt/v\tv\u00a0\u200b\u202e"
    user     = "sim"
  }

  step {
    workdir = "/srv/s\u200bt\u202eep"
    env     = { ODD = "\u2066x\u2069" }
    run     = "printf '%s\\n' \"$ODD\" \u00a0"
  }

  mount {
    source = "."
    target = "/mnt/data"
  }

  run = ["printf", "%s\\n", "\u202eodd\u00a0\t"]

  vm {
    name = "odd\u200bvm"
  }
}
