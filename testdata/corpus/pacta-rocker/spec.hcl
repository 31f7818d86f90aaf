# workflow.pacta (RMI-PACTA/workflow.pacta Dockerfile), re-expressed for envc.
# Upstream: FROM docker.io/rocker/r-ver:4.3.1 (Ubuntu 22.04), pinned apt packages, a frozen
# CRAN snapshot, the package's dependencies installed with pak, then the package itself.
# Here the base is debian:bookworm; see NOTES.md.

variable "cran_repo" {
  type    = string
  default = "https://packagemanager.posit.co/cran/2023-10-30"
}

# upstream stage "base": system libraries, frozen CRAN, the R dependencies
environment "base" {
  description = "Docker image to run PACTA analysis"
  base        = "debian:bookworm" # upstream: docker.io/rocker/r-ver:4.3.1

  labels = {
    "org.opencontainers.image.source"    = "https://github.com/RMI-PACTA/workflow.pacta"
    "org.opencontainers.image.licenses"  = "MIT"
    "org.opencontainers.image.title"     = "workflow.pacta"
    "org.opencontainers.image.vendor"    = "RMI"
    "org.opencontainers.image.base.name" = "docker.io/rocker/r-ver:4.3.1"
    "org.opencontainers.image.authors"   = "Alex Axthelm, CJ Yetman, Jackson Hoffart"
  }

  # upstream pins Ubuntu 22.04 versions (git=1:2.34.*, libicu-dev=70.*, ...); R itself comes
  # with the rocker image, here from Debian
  packages = [
    "r-base-core", "git", "libcurl4-openssl-dev", "libicu-dev", "libssl-dev", "openssh-client",
    "wget", "ca-certificates",
  ]

  env = {
    R_HOME = "/usr/lib/R"
  }

  step {
    run = "chmod -R a+rwX /root"
  }

  # the frozen CRAN snapshot, for every later R session
  step {
    run = "echo \"options(repos = c(CRAN = '${var.cran_repo}'), pkg.sysreqs = FALSE)\" >> \"$R_HOME/etc/Rprofile.site\""
  }

  step {
    copy {
      source = "workflow.pacta/DESCRIPTION"
      target = "/workflow.pacta/DESCRIPTION"
    }
  }

  step {
    run = "Rscript -e \"install.packages('pak'); deps <- pak::local_deps(root = '/workflow.pacta'); pak::pak(deps[!deps[['direct']], 'ref'])\""
  }
}

# upstream stage "install-pacta": the package and its entry point
environment "install-pacta" {
  from = environment.base

  # COPY . /workflow.pacta/: the checkout as a folder (run-pacta.sh keeps its 0755), which
  # writes DESCRIPTION again
  step {
    copy {
      source    = "workflow.pacta"
      target    = "/workflow.pacta"
      overwrite = true
    }
  }
  step {
    run = "Rscript -e \"pak::local_install(root = '/workflow.pacta')\""
  }

  entrypoint = ["/workflow.pacta/run-pacta.sh"]
  run        = ["/workflow.pacta/input_dir/default_config.json"]
}
