# Folders under a root, and a marker written by the targets that build
# an image (a machine keeps its own).
variable "root" {
  type = string
}

variable "folders" {
  type    = list(string)
  default = ["etc", "var"]
}

module "marker" {
  source = "./marker.hcl"
  path   = "${var.root}/etc/built-by"
}

step {
  for_each = toset(var.folders)
  run      = "mkdir -p ${var.root}/${each.key}"
}
