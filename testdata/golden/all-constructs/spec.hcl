# Every v1 construct at once.
variable "tag" {
  type        = string
  default     = "bookworm"
  description = "Debian release"
}

variable "threads" {
  type    = number
  default = 2
  validation {
    condition     = var.threads > 0
    error_message = "At least one thread."
  }
}

locals {
  tools = ["git", "vim"]
  home  = "/home/sim"
}

environment "all" {
  description = format("Everything on Debian %s", upper(var.tag))
  base        = "debian:${var.tag}"
  os          = "debian:12"

  packages = concat(local.tools, ["python3", "curl"])

  env = {
    OMP_NUM_THREADS = tostring(var.threads)
    PATH            = "${local.home}/.local/bin:$PATH"
    GREETING        = "it's \"quoted\" and costs $$5"
    DATA_DIR        = "$${HOME}/data"
  }

  file {
    source = "conf/app.conf"
    target = "${local.home}/app.conf"
    mode   = "0600"
  }
  file {
    source = "conf/run.sh"
    target = "/usr/local/bin/run-sim"
    mode   = "0755"
  }

  setup = [
    "echo \"$GREETING\" > /etc/greeting",
    <<-EOT
      if command -v python3 >/dev/null; then
        python3 --version > /etc/python-version
      fi
    EOT
    ,
  ]

  workdir = "${local.home}/work"
  user    = "sim"

  mount {
    source    = "data"
    target    = "/data"
    read_only = true
  }
  mount {
    source = "."
    target = "${local.home}/work"
  }

  port {
    guest = 8888
  }
  port {
    guest    = 5353
    host     = 15353
    host_ip  = "127.0.0.1"
    protocol = "udp"
  }

  run = ["/usr/local/bin/run-sim", "--threads", tostring(var.threads)]
  labels = {
    maintainer            = "sim-group"
    "org.example.version" = "1.0"
  }

  vm {
    box         = "debian/bookworm64"
    box_version = "12.20240905.1"
    cpus        = 2
    memory      = 2048
    name        = "all-constructs"
  }
}
