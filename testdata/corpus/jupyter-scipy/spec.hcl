# Jupyter Docker Stacks: docker-stacks-foundation -> base-notebook -> minimal-notebook ->
# scipy-notebook (jupyter/docker-stacks, images/*/Dockerfile), re-expressed for envc v2 as
# four chained environments.
#
# Upstream base: ubuntu:24.04 pinned by digest (overridable through ARG ROOT_IMAGE).
# Here: debian:bookworm (see NOTES.md).

# upstream: ARG ROOT_IMAGE
variable "root_image" {
  type    = string
  default = "debian:bookworm"
}
# upstream: ARG NB_USER / NB_UID / NB_GID
variable "nb_user" {
  type    = string
  default = "jovyan"
}
variable "nb_uid" {
  type    = number
  default = 1000
}
variable "nb_gid" {
  type    = number
  default = 100
}
# upstream: ARG PYTHON_VERSION ("default" = unpinned)
variable "python_version" {
  type    = string
  default = "3.13"
}

locals {
  conda_dir  = "/opt/conda"
  home       = "/home/${var.nb_user}"
  python_req = var.python_version == "default" ? "python" : "python=${var.python_version}"
  maintainer = { maintainer = "Jupyter Project <jupyter@googlegroups.com>" }
}

# The micromamba binary comes from the official image, pinned by version upstream (and digest).
environment "micromamba" {
  description = "Source of the micromamba binary (build-only)"
  base        = "mambaorg/micromamba:2.8.1"
  os          = "debian:12"
}

# ---------------------------------------------------------------------------------------
environment "foundation" {
  description = "docker-stacks-foundation: tini, sudo, locales, the notebook user and a conda prefix"
  base        = var.root_image # upstream: ubuntu:24.04@sha256:5616...
  labels      = local.maintainer

  packages = ["ca-certificates", "locales", "netbase", "sudo", "tini", "wget", "bzip2"]

  user "jovyan" {
    uid   = var.nb_uid
    gid   = var.nb_gid # the existing `users` group; upstream passes --no-user-group
    home  = local.home
    shell = "/bin/bash"
  }

  env = {
    CONDA_DIR = local.conda_dir
    SHELL     = "/bin/bash"
    NB_USER   = var.nb_user
    NB_UID    = tostring(var.nb_uid)
    NB_GID    = tostring(var.nb_gid)
    LC_ALL    = "C.UTF-8"
    LANG      = "C.UTF-8"
    LANGUAGE  = "C.UTF-8"
    PATH      = "${local.conda_dir}/bin:$PATH"
    HOME      = local.home
  }

  # locales, coloured prompt and conda hook for new users' .bashrc
  step {
    run = <<-EOT
      printf '%s\n' 'en_US.UTF-8 UTF-8' 'C.UTF-8 UTF-8' > /etc/locale.gen && locale-gen
      sed -i 's/^#force_color_prompt=yes/force_color_prompt=yes/' /etc/skel/.bashrc
      echo 'eval "$(conda shell.bash hook)"' >> /etc/skel/.bashrc
    EOT
  }

  # helper that makes a directory group-writable for the `users` group (any start-up UID)
  file {
    source = "fix-permissions"
    target = "/usr/local/bin/fix-permissions"
    mode   = "0755"
  }

  # no password sudo for the admin groups, no `su` at all; /etc/passwd group-writable so
  # start.sh can rename the user at start-up
  step {
    run = <<-EOT
      echo 'auth requisite pam_deny.so' >> /etc/pam.d/su
      sed -i.bak -e 's/^%admin/#%admin/' -e 's/^%sudo/#%sudo/' /etc/sudoers
      chmod g+w /etc/passwd
      mkdir -p ${local.conda_dir} && chown ${var.nb_user}:${var.nb_gid} ${local.conda_dir}
      fix-permissions ${local.conda_dir} && fix-permissions ${local.home}
    EOT
  }

  step {
    user = "jovyan"
    run  = "mkdir -p ${local.home}/.cache ${local.home}/work && fix-permissions ${local.home}"
  }

  step {
    copy {
      source = "initial-condarc" # from the build context (question: copy without `from`)
      target = "${local.conda_dir}/.condarc"
      owner  = "jovyan"
      mode   = "0644"
    }
  }

  stage "micromamba" {
    from = environment.micromamba
  }
  step {
    copy {
      from   = stage.micromamba
      source = "/bin/micromamba"
      target = "/usr/local/bin/micromamba"
      mode   = "0755"
    }
  }

  # the conda prefix: python, conda, mamba, jupyter_core; pin python's major.minor
  step {
    user    = "jovyan"
    workdir = "/tmp"
    run     = <<-EOT
      set -x
      micromamba install --root-prefix=${local.conda_dir} --prefix=${local.conda_dir} --yes \
        jupyter_core conda "mamba==$(micromamba --version)" '${local.python_req}'
      mamba list --full-name python | awk 'END{sub("[^.]*$", "*", $2); print $1 " " $2}' >> ${local.conda_dir}/conda-meta/pinned
      mamba clean --all -f -y
      fix-permissions ${local.conda_dir} && fix-permissions ${local.home}
    EOT
  }

  # start-up machinery: start.sh runs hooks, switches user/UID, then execs the command
  file {
    source = "start.sh"
    target = "/usr/local/bin/start.sh"
    mode   = "0755"
  }
  file {
    source = "run-hooks.sh"
    target = "/usr/local/bin/run-hooks.sh"
    mode   = "0755"
  }
  step { run = "mkdir -p /usr/local/bin/start-notebook.d /usr/local/bin/before-notebook.d" }

  # conda's shell functions for every command: upstream's before-notebook.d hook, which
  # start.sh sources; here also sourced by every later step, the run command and shells
  step {
    copy {
      source = "10activate-conda-env.sh"
      target = "/usr/local/bin/before-notebook.d/10activate-conda-env.sh"
    }
  }
  source = ["/usr/local/bin/before-notebook.d/10activate-conda-env.sh"]

  # upstream: SHELL ["/bin/bash", "-o", "pipefail", "-c"] for every RUN
  shell = "bash"

  # tini with -g: signals go to the whole process group
  entrypoint = ["tini", "-g", "--", "start.sh"]
  # upstream: USER ${NB_UID}
  user      = var.nb_uid
  workdir   = local.home
  platforms = ["linux/amd64", "linux/arm64"]
}

# ---------------------------------------------------------------------------------------
environment "base-notebook" {
  description = "base-notebook: Jupyter Server, JupyterLab, Notebook and JupyterHub single-user"
  from        = environment.foundation
  labels      = local.maintainer

  # fonts for matplotlib, pandoc for nbconvert (upstream also: run-one, not packaged in Debian)
  packages = ["fonts-liberation", "pandoc"]

  step {
    user    = "jovyan"
    workdir = "/tmp"
    run     = <<-EOT
      mamba install --yes jupyterhub-singleuser jupyterlab nbclassic 'notebook>=7.2.2'
      jupyter server --generate-config
      mamba clean --all -f -y && jupyter lab clean
      rm -rf ${local.home}/.cache/yarn
      fix-permissions ${local.conda_dir} && fix-permissions ${local.home}
    EOT
  }

  env = {
    JUPYTER_PORT = "8888"
  }

  file {
    source = "start-notebook.py"
    target = "/usr/local/bin/start-notebook.py"
    mode   = "0755"
  }
  file {
    source = "jupyter_server_config.py"
    target = "/etc/jupyter/jupyter_server_config.py"
    mode   = "0644"
  }
  file {
    source = "docker_healthcheck.py"
    target = "/etc/jupyter/docker_healthcheck.py"
    mode   = "0755"
  }
  step { run = "fix-permissions /etc/jupyter/" }

  port {
    guest = 8888
  }

  healthcheck {
    test         = ["/etc/jupyter/docker_healthcheck.py"]
    interval     = "3s"
    timeout      = "1s"
    start_period = "3s"
    retries      = 3
  }

  run = ["start-notebook.py"]
}

# ---------------------------------------------------------------------------------------
environment "minimal-notebook" {
  description = "minimal-notebook: command-line tools and TeX for nbconvert"
  from        = environment.base-notebook
  labels      = local.maintainer

  packages = [
    "curl", "git", "nano-tiny", "tzdata", "unzip", "vim-tiny", "openssh-client", "less",
    "texlive-xetex", "texlive-fonts-recommended", "texlive-plain-generic", "xclip",
  ]

  step { run = "update-alternatives --install /usr/bin/nano nano /bin/nano-tiny 10" }
}

# ---------------------------------------------------------------------------------------
environment "scipy-notebook" {
  description = "scipy-notebook: the scientific Python stack"
  from        = environment.minimal-notebook
  labels      = local.maintainer

  packages = ["build-essential", "cm-super", "dvipng", "ffmpeg"]

  step {
    user = "jovyan"
    run  = <<-EOT
      mamba install --yes altair beautifulsoup4 bokeh bottleneck cloudpickle \
        'conda-forge::blas=*=openblas' cython dask dill h5py ipympl ipywidgets jupyterlab-git \
        matplotlib-base numba numexpr openpyxl pandas patsy protobuf pytables scikit-image \
        scikit-learn scipy seaborn sqlalchemy statsmodels sympy widgetsnbextension xlrd
      mamba clean --all -f -y
      fix-permissions ${local.conda_dir} && fix-permissions ${local.home}
    EOT
  }

  # build matplotlib's font cache once
  step {
    user = "jovyan"
    env  = { MPLBACKEND = "Agg" }
    run  = "python -c 'import matplotlib.pyplot' && fix-permissions ${local.home}"
  }

  workdir = local.home
  run     = ["start-notebook.py"]
}
