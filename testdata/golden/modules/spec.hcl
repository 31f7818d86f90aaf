# Modules and for_each: a module called once for each tool of a map (its
# outputs read back as module.tool["KEY"]), a module that calls another,
# a module inside a stage, and for_each on step and file blocks. Each
# module copies files relative to its own folder.
variable "prefix" {
  type    = string
  default = "/opt/tools"
}

locals {
  tools = {
    greet = "echo"
    count = "wc"
  }
  configs = toset(["a.conf", "b.conf"])
}

environment "modules" {
  base = "debian:bookworm"

  file {
    for_each = local.configs
    source   = "conf/${each.key}"
    target   = "/etc/demo/${each.key}"
  }

  module "tool" {
    for_each = local.tools
    source   = "./modules/tool/tool.hcl"
    name     = each.key
    command  = each.value
    prefix   = var.prefix
  }

  module "layout" {
    source = "./modules/layout.hcl"
    root   = var.prefix
  }

  stage "build" {
    base = "debian:bookworm"

    module "generate" {
      source = "./modules/generate.hcl"
      lines  = ["one", "two", "three"]
    }
  }

  step {
    copy {
      from   = stage.build
      source = "/out/lines.txt"
      target = "/opt/lines.txt"
    }
  }

  step {
    for_each = ["first", "second"]
    run      = "echo ${each.key}:${each.value} >> /opt/order.txt"
  }

  step {
    env = {
      GREET = module.tool["greet"].bin
      TOOLS = join(" ", [for k, t in module.tool : t.bin])
    }
  }

  run = ["sh", "-c", "cat /opt/order.txt /opt/lines.txt && ls ${var.prefix}/bin"]
}
