# Nipype tutorial image (miykael/nipype_tutorial generate.sh), re-expressed for envc.
# Upstream writes its Dockerfile and Singularity recipe with Neurodocker: NeuroDebian with
# FSL, ANTs, Convert3D and tools, SPM12 standalone on the MATLAB Compiler Runtime, a user
# "neuro" with a Miniconda environment "neuro" (Python 3.8, Jupyter, Nipype, nilearn,
# DataLad), a workshop data set fetched with DataLad, the tutorial's notebooks, Jupyter.
# Upstream base: neurodebian:stretch-non-free. Here: debian:bookworm with NeuroDebian's
# repository (see NOTES.md).

variable "nipype_url" {
  type        = string
  default     = "https://github.com/nipy/nipype/tarball/master"
  description = "generate.sh's first argument picks a Nipype branch (git+https://github.com/nipy/nipype.git@BRANCH)"
}

locals {
  home      = "/home/neuro"
  conda_dir = "/opt/miniconda-latest"
  mcr       = "/opt/matlabmcr-2010a/v713"
  spm_dir   = "/opt/spm12-r7219"
  tutorial  = "/home/neuro/nipype_tutorial"
  templates = "/data/ds000114/derivatives/fmriprep"
}

environment "nipype-tutorial" {
  description = "Nipype tutorial: FSL, ANTs, SPM12 standalone, Nipype and Jupyter"
  base        = "debian:bookworm" # upstream: neurodebian:stretch-non-free

  # neurodebian:*-non-free is Debian with NeuroDebian's archive (main, contrib, non-free)
  repository "neurodebian" {
    url        = "http://neuro.debian.net/debian"
    key        = "https://neuro.debian.net/_static/neuro.debian.net.asc"
    components = ["main", "contrib", "non-free"]
  }

  # Neurodocker's own first layer: locales, download tools, a world-writable /opt
  packages = ["apt-utils", "bzip2", "ca-certificates", "curl", "locales", "unzip"]
  env = {
    LANG   = "en_US.UTF-8"
    LC_ALL = "en_US.UTF-8"
  }
  setup = [
    "sed -i -e 's/# en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen && dpkg-reconfigure --frontend=noninteractive locales && update-locale LANG=en_US.UTF-8",
    "chmod 777 /opt && chmod a+s /opt",
  ]

  # --install: the neuroimaging tools and editors, from NeuroDebian and Debian
  step {
    packages = [
      "convert3d", "ants", "fsl", "gcc", "g++", "graphviz", "tree", "git-annex-standalone", "vim",
      "emacs-nox", "nano", "less", "ncdu", "tig", "git-annex-remote-rclone", "octave", "netbase",
    ]
  }

  # --spm12 version=r7219: the MATLAB Compiler Runtime R2010a and SPM12 standalone
  step {
    env = {
      FORCE_SPMMCR    = "1"
      LD_LIBRARY_PATH = "/usr/lib/x86_64-linux-gnu:${local.mcr}/runtime/glnxa64:${local.mcr}/bin/glnxa64:${local.mcr}/sys/os/glnxa64:${local.mcr}/extern/bin/glnxa64"
      MATLABCMD       = "${local.mcr}/toolbox/matlab"
      SPMMCRCMD       = "${local.spm_dir}/run_spm12.sh ${local.mcr} script"
    }
  }
  step {
    packages = ["bc", "libncurses5", "libxext6", "libxmu6", "libxpm-dev", "libxt6"]
  }
  step {
    workdir = "/tmp"
    run     = <<-EOT
      curl -sSL --retry 5 -o /tmp/libxp6.deb http://mirrors.kernel.org/debian/pool/main/libx/libxp/libxp6_1.0.2-2_amd64.deb
      dpkg -i /tmp/libxp6.deb && rm /tmp/libxp6.deb
      curl -fsSL --retry 5 -o /tmp/MCRInstaller.bin https://dl.dropbox.com/s/zz6me0c3v4yq5fd/MCR_R2010a_glnxa64_installer.bin
      chmod +x /tmp/MCRInstaller.bin && /tmp/MCRInstaller.bin -silent -P installLocation="/opt/matlabmcr-2010a"
      rm -rf /tmp/MCRInstaller.bin
      curl -fsSL --retry 5 -o /tmp/spm12.zip http://www.fil.ion.ucl.ac.uk/spm/download/restricted/utopia/previous/spm12_r7219_R2010a.zip
      unzip -q /tmp/spm12.zip -d /tmp && mkdir -p ${local.spm_dir} && mv /tmp/spm12/* ${local.spm_dir}/
      chmod -R 777 ${local.spm_dir} && rm -rf /tmp/spm12 /tmp/spm12.zip
      ${local.spm_dir}/run_spm12.sh ${local.mcr} quit
    EOT
  }

  # --user=neuro: useradd --no-user-group, so the primary group is Debian's `users` (100)
  user "neuro" {
    gid   = 100
    home  = local.home
    shell = "/bin/bash"
  }

  # --miniconda: Miniconda into /opt (world-writable above) as neuro, the environment "neuro"
  step {
    env = {
      CONDA_DIR = local.conda_dir
      PATH      = "${local.conda_dir}/bin:$PATH"
    }
  }
  step {
    user    = "neuro"
    workdir = local.home
    run     = <<-EOT
      curl -fsSL --retry 5 -o /tmp/miniconda.sh https://repo.continuum.io/miniconda/Miniconda3-latest-Linux-x86_64.sh
      bash /tmp/miniconda.sh -b -p ${local.conda_dir} && rm -f /tmp/miniconda.sh
      conda update -yq -nbase conda
      conda config --system --prepend channels conda-forge
      conda config --system --set auto_update_conda false
      conda config --system --set show_channel_urls true
      conda create -y -q --name neuro
      conda install -y -q --name neuro python=3.8 pytest jupyter jupyterlab \
        jupyter_contrib_nbextensions traits pandas matplotlib scikit-learn scikit-image seaborn \
        nbformat nb_conda
      ${local.conda_dir}/envs/neuro/bin/pip install --no-cache-dir '${var.nipype_url}' \
        pybids==0.13.1 nilearn 'datalad[full]' nipy duecredit nbval niflow-nipype1-workflows
      conda clean -y --all
    EOT
  }
  # activate=True: `source activate neuro` in the entrypoint, for every later step and the
  # run command; `--add-to-entrypoint "source /etc/fsl/fsl.sh"` likewise
  step {
    copy {
      source = "neuro-activate.sh"
      target = "/etc/neurodocker/neuro-activate.sh"
    }
  }
  source = ["/etc/fsl/fsl.sh", "/etc/neurodocker/neuro-activate.sh"]
  shell  = "bash"

  step {
    env = { LD_LIBRARY_PATH = "${local.conda_dir}/envs/neuro:/usr/lib/x86_64-linux-gnu:${local.mcr}/runtime/glnxa64:${local.mcr}/bin/glnxa64:${local.mcr}/sys/os/glnxa64:${local.mcr}/extern/bin/glnxa64" }
  }
  step {
    user = "neuro"
    run  = "jupyter nbextension enable exercise2/main && jupyter nbextension enable spellchecker/main"
  }

  # shared data and output folders, writable by any user
  step { run = "mkdir /data && chmod 777 /data && chmod a+s /data" }
  step { run = "mkdir /output && chmod 777 /output && chmod a+s /output" }

  step {
    user = "neuro"
    run  = "printf '[user]\\n\\tname = miykael\\n\\temail = michaelnotter@hotmail.com\\n' > ~/.gitconfig"
  }

  # the workshop data set and the MNI template
  step {
    user    = "neuro"
    workdir = "/data"
    run     = "datalad install -r ///workshops/nih-2017/ds000114 && cd ds000114 && datalad update -r && datalad get -r sub-01/ses-test/anat sub-01/ses-test/func/*fingerfootlips*"
  }
  step {
    user = "neuro"
    run  = <<-EOT
      curl -L https://files.osf.io/v1/resources/fvuh8/providers/osfstorage/580705089ad5a101f17944a9 -o ${local.templates}/mni_icbm152_nlin_asym_09c.tar.gz
      tar xf ${local.templates}/mni_icbm152_nlin_asym_09c.tar.gz -C ${local.templates}/.
      rm ${local.templates}/mni_icbm152_nlin_asym_09c.tar.gz
      find ${local.templates}/mni_icbm152_nlin_asym_09c -type f -not -name '?mm_T1.nii.gz' -not -name '?mm_brainmask.nii.gz' -not -name '?mm_tpm*.nii.gz' -delete
    EOT
  }

  # --copy . /home/neuro/nipype_tutorial, then chown -R neuro
  step {
    copy {
      source = "tutorial"
      target = local.tutorial
      owner  = "neuro"
    }
  }

  step {
    user = "neuro"
    run  = "mkdir -p ~/.jupyter && echo 'c.NotebookApp.ip = \"0.0.0.0\"' > ~/.jupyter/jupyter_notebook_config.py"
  }

  port {
    guest = 8888
  }

  user    = "neuro"
  workdir = local.tutorial
  run     = ["jupyter-notebook"]
}
