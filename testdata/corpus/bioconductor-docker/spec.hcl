# Bioconductor's Docker images (Bioconductor/bioconductor_docker Dockerfile and
# bioc_scripts/install_bioc_sysdeps.sh), re-expressed for envc. Upstream builds one Dockerfile
# on several rocker images (the CI matrix: rocker/rstudio -> bioconductor_docker, rocker/r-ver
# -> r-ver, and tidyverse, ml-verse, shiny), for linux/amd64 and linux/arm64; here the
# additions are a module, called by two environments of that matrix.
# Upstream base: rocker/rstudio:4.4.1 and rocker/r-ver:4.4.1 (Ubuntu 22.04), kept.

variable "bioc_version" {
  type    = string
  default = "3.20"
}
variable "bioc_patch" {
  type        = string
  default     = "27"
  description = "incremented with each change of the Dockerfile"
}
variable "r_version" {
  type    = string
  default = "4.4.1" # the rocker tag of upstream's CI matrix
}

locals {
  docker_version = "${var.bioc_version}.${var.bioc_patch}"
  labels = {
    name        = "bioconductor/bioconductor_docker"
    version     = local.docker_version
    url         = "https://github.com/Bioconductor/bioconductor_docker"
    vendor      = "Bioconductor Project"
    maintainer  = "maintainer@bioconductor.org"
    description = "Bioconductor docker image with system dependencies to install all packages."
    license     = "Artistic-2.0"
  }
  env = {
    LIBSBML_CFLAGS              = "-I/usr/include"
    LIBSBML_LIBS                = "-lsbml"
    BIOCONDUCTOR_DOCKER_VERSION = local.docker_version
    BIOCONDUCTOR_VERSION        = var.bioc_version
    BIOCONDUCTOR_NAME           = "bioconductor_docker"
  }
  platforms = ["linux/amd64", "linux/arm64"]
  # upstream: ENV BIOCONDUCTOR_USE_CONTAINER_REPOSITORY per architecture (FROM base-$TARGETARCH):
  # Bioconductor publishes binary packages for the amd64 images alone
  container_repository = { "linux/amd64" = "TRUE", "linux/arm64" = "FALSE" }
}

# bioconductor/bioconductor_docker: RStudio Server (rocker/rstudio) with Bioconductor's system
# dependencies
environment "bioconductor-docker" {
  description = "Bioconductor docker image with system dependencies to install all packages."
  base        = "rocker/rstudio:${var.r_version}"
  labels      = local.labels
  platforms   = local.platforms

  # upstream: no binary packages of the container repository while building (ENV, which the
  # values per platform below replace)
  step {
    env = { BIOCONDUCTOR_USE_CONTAINER_REPOSITORY = "FALSE" }
  }

  module "bioc" {
    source         = "./modules/bioc-sysdeps.hcl"
    bioc_version   = var.bioc_version
    docker_version = local.docker_version
  }

  # upstream's final stage, per architecture: the container-repository switch and the
  # platform the image is for (ENV PLATFORM=${TARGETPLATFORM})
  step {
    for_each  = local.container_repository
    platforms = [each.key]
    env = {
      BIOCONDUCTOR_USE_CONTAINER_REPOSITORY = each.value
      PLATFORM                              = each.key
    }
  }

  step {
    env = local.env
  }

  # what rocker/rstudio serves, and the password its init asks for; docker-compose.yml binds
  # a host library at host-site-library
  port {
    guest = 8787
  }
  run_env = {
    PASSWORD = null
  }
  mount {
    source = "host-site-library"
    target = "/usr/local/lib/R/host-site-library"
  }

  # s6-overlay's init (rocker/rstudio) starts RStudio Server
  run = ["/init"]
}

# bioconductor/r-ver: the same additions on rocker/r-ver (R alone)
environment "r-ver" {
  description = "Bioconductor docker image with system dependencies to install all packages (R only)."
  base        = "rocker/r-ver:${var.r_version}"
  labels      = local.labels
  platforms   = local.platforms

  step {
    env = { BIOCONDUCTOR_USE_CONTAINER_REPOSITORY = "FALSE" }
  }

  module "bioc" {
    source         = "./modules/bioc-sysdeps.hcl"
    bioc_version   = var.bioc_version
    docker_version = local.docker_version
  }

  # upstream's final stage, per architecture: the container-repository switch and the
  # platform the image is for (ENV PLATFORM=${TARGETPLATFORM})
  step {
    for_each  = local.container_repository
    platforms = [each.key]
    env = {
      BIOCONDUCTOR_USE_CONTAINER_REPOSITORY = each.value
      PLATFORM                              = each.key
    }
  }

  step {
    env = local.env
  }

  run = ["R"]
}
