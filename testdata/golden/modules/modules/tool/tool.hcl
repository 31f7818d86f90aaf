# A wrapper script for a command, installed into a prefix, with the share
# folder beside this file copied whole.
variable "name" {
  type = string
}

variable "command" {
  type = string
}

variable "prefix" {
  type    = string
  default = "/usr/local"
}

step {
  run = "mkdir -p ${var.prefix}/bin && printf '#!/bin/sh\\nexec ${var.command} \"$@\"\\n' > ${var.prefix}/bin/${var.name} && chmod 0755 ${var.prefix}/bin/${var.name}"
}

# Relative to this module's folder.
step {
  copy {
    source = "share"
    target = "${var.prefix}/share/${var.name}"
  }
}

output "bin" {
  value = "${var.prefix}/bin/${var.name}"
}
