variable "path" {
  type = string
}

step {
  run  = "mkdir -p \"$(dirname ${var.path})\" && echo image > ${var.path}"
  only = ["docker", "llb", "singularity"]
}

step {
  run    = "mkdir -p \"$(dirname ${var.path})\" && echo machine > ${var.path}"
  except = ["docker", "llb", "singularity"]
}
