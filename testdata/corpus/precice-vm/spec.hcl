# preCICE training/demo VM (precice/vm, branch ubuntu-24.04), re-expressed for envc v2.
#
# Upstream provisions a Vagrant box, bento/ubuntu-24.04, with a dozen shell scripts run
# as the unprivileged `vagrant` user (privileged: false, sudo where root is needed).
# Here the base is debian:bookworm (our CI builds Debian only); see NOTES.md.
#
# Covered scripts: install-basics, install-devel, install-precice, install-config-visualizer,
# install-openfoam, install-calculix, install-dealii, install-fmiprecice,
# install-micro-manager, install-paraview, post-install, cleanup.
# (install-su2, install-dune, install-julia-bindings and install-aste repeat the same
# patterns: user-level builds in $HOME plus PATH edits; left out to keep the spec readable.)

variable "openfoam_release" {
  type    = string
  default = "2312"
}

variable "calculix_version" {
  type    = string
  default = "2.20"
}

locals {
  home      = "/home/vagrant"
  of_prefix = "/usr/lib/openfoam/openfoam${var.openfoam_release}"
}

# Compilers and the libraries preCICE is built against; also the base of the VM itself.
environment "toolchain" {
  description = "Build toolchain shared by the preCICE build stage and the VM"
  base        = "debian:bookworm" # upstream: bento/ubuntu-24.04 box
  recommends  = true              # upstream's plain `apt-get install -y` keeps recommends

  packages = [
    "build-essential", "git", "cmake", "cmake-curses-gui", "pkg-config", "wget", "ca-certificates",
    "libeigen3-dev", "libxml2-dev", "libboost-all-dev", "petsc-dev",
    "python3-dev", "python3-numpy",
  ]
}

environment "precicevm" {
  description = "preCICE training VM: Xfce desktop, preCICE, OpenFOAM, CalculiX and deal.II adapters, tutorials"
  from        = environment.toolchain
  recommends  = true

  # upstream uses the box's own `vagrant` user; the container targets have to create it
  user "vagrant" {
    uid    = 1000
    gid    = 1000
    home   = local.home
    shell  = "/bin/bash"
    groups = ["sudo"]
  }

  # install-openfoam.sh pipes the vendor's add-debian-repo.sh into bash; this is that repository
  repository "openfoam" {
    url        = "https://dl.openfoam.com/repos/deb"
    key        = "https://dl.openfoam.com/pubkey.gpg"
    suite      = "bookworm"
    components = ["main"]
  }

  # apt retries: upstream writes this before any download
  file {
    source = "80-retries"
    target = "/etc/apt/apt.conf.d/80-retries"
    mode   = "0644"
  }

  # --- preCICE itself: built from the main branch into a .deb in a throw-away stage ----
  stage "precice" {
    from = environment.toolchain
    step {
      workdir = "/src"
      run     = <<-EOT
        git clone --depth=1 --branch main https://github.com/precice/precice.git
        cmake -S precice -B build -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_SHARED_LIBS=ON \
          -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPRECICE_RELEASE_WITH_DEBUG_LOG=ON \
          -DBUILD_TESTING=OFF -Wno-dev
        cmake --build build -j "$(nproc)"
        cd build && cpack -G DEB && mkdir -p /out && mv libprecice*.deb /out/libprecice.deb
      EOT
    }
  }

  # --- install-basics.sh: desktop only makes sense in the VM --------------------------
  step {
    only = ["vagrant"]
    packages = [
      "task-xfce-desktop", "thunar", "xfce4-terminal", "terminator", "atril", "firefox-esr",
      "baobab", "catfish",
    ]
  }
  step {
    only = ["vagrant"]
    run  = "sed -i 's/^XKBLAYOUT=.*/XKBLAYOUT=\"us\"/' /etc/default/keyboard && echo precicevm > /etc/hostname"
  }

  # --- packages of install-basics, install-devel and the solver scripts --------------
  step {
    packages = [
      "bash-completion", "tree", "sudo",
      "python3-venv", "python3-pip", "pipx", "python-is-python3", "ipython3",
      "cargo", "nano", "vim", "meld", "gedit",
      "gnuplot",
      # config-visualizer (CLI and GUI)
      "graphviz", "libcairo2-dev", "libgirepository1.0-dev", "gir1.2-gtk-3.0",
      # CalculiX
      "libarpack2-dev", "libspooles-dev", "libyaml-cpp-dev", "gfortran",
      # deal.II
      "libdeal.ii-dev",
      # OpenFOAM from the repository above
      "openfoam${var.openfoam_release}-dev",
    ]
  }
  step {
    recommends = false
    packages   = ["paraview"]
  }

  step {
    copy {
      from   = stage.precice
      source = "/out/libprecice.deb"
      target = "/tmp/libprecice.deb"
    }
  }
  step { run = "apt-get update && apt-get install -y /tmp/libprecice.deb && rm -f /tmp/libprecice.deb && rm -rf /var/lib/apt/lists/*" }

  # --- everything below runs as the vagrant user in its home, as upstream does --------
  step {
    user    = "vagrant"
    workdir = local.home
    run     = <<-EOT
      cp -r /usr/share/precice/examples ./precice-examples
      for lang in c cpp fortran; do (cd precice-examples/solverdummies/$lang && cmake . && make); done
      git clone --depth=1 --branch master https://github.com/precice/tutorials.git
      (cd tutorials/quickstart/solid-cpp && cmake . && make)
      for d in solid-rust fluid-rust; do
        (cd tutorials/elastic-tube-1d/$d && mkdir -p .cargo && cargo vendor > .cargo/config.toml)
      done
      (cd tutorials/heat-exchanger && ./download-meshes.sh)
    EOT
  }

  # Python bindings in a private venv (upstream: ~/python-venvs/pyprecice)
  pip {
    user     = "vagrant"
    venv     = "${local.home}/python-venvs/pyprecice"
    packages = ["pyprecice"]
  }

  # stand-alone Python tools through pipx (upstream: as vagrant, into ~/.local/bin; here for
  # every user, into /usr/local/bin)
  pipx {
    packages = [
      "precice-config-visualizer==1.1.3", "precice-config-visualizer-gui==0.1.0", "fmiprecice",
      "micro-manager-precice",
    ]
  }

  # OpenFOAM adapter and the tutorial's own solver, inside the OpenFOAM environment
  step {
    user    = "vagrant"
    workdir = local.home
    env     = { WM_NCOMPPROCS = "2" }
    run     = <<-EOT
      git clone --depth=1 --branch master https://github.com/precice/openfoam-adapter.git
      (cd openfoam-adapter && openfoam${var.openfoam_release} ./Allwmake)
      (cd tutorials/partitioned-heat-conduction/solver-openfoam && openfoam${var.openfoam_release} wmake)
    EOT
  }

  # CalculiX sources and the CalculiX adapter
  step {
    user    = "vagrant"
    workdir = local.home
    env     = { ADDITIONAL_FFLAGS = "-fallow-argument-mismatch" }
    run     = <<-EOT
      wget -q http://www.dhondt.de/ccx_${var.calculix_version}.src.tar.bz2
      tar xjf ccx_${var.calculix_version}.src.tar.bz2 && rm ccx_${var.calculix_version}.src.tar.bz2
      git clone --depth=1 --branch master https://github.com/precice/calculix-adapter.git
      make -C calculix-adapter -j "$(nproc)"
    EOT
  }

  # deal.II adapter
  step {
    user    = "vagrant"
    workdir = local.home
    run     = "git clone --depth=1 --branch master https://github.com/precice/dealii-adapter.git && cd dealii-adapter && cmake . && make -j \"$(nproc)\""
  }

  # post-install.sh: desktop shortcuts, no screen lock (VM only)
  step {
    only    = ["vagrant"]
    user    = "vagrant"
    workdir = local.home
    run     = <<-EOT
      mkdir -p Desktop
      ln -sf ${local.home}/tutorials Desktop/
      ln -sf /vagrant Desktop/shared
      cp /usr/share/applications/terminator.desktop /usr/share/applications/xfce-keyboard-settings.desktop Desktop/
      chmod +x Desktop/*.desktop
      printf '%s\n' 'xset s off -dpms' >> .bashrc
    EOT
  }

  # the files upstream uploads with `provision "file"`: copy steps, in order and owned by the
  # user (a v1 file block would run before every step and create the home as root's)
  step {
    copy {
      source = "get-started.desktop"
      target = "/home/vagrant/Desktop/get-started.desktop"
      owner  = "vagrant"
      mode   = "0644"
    }
  }
  step {
    copy {
      source = "alias.sh"
      target = "/home/vagrant/.alias"
      owner  = "vagrant"
      mode   = "0644"
    }
  }

  # cleanup.sh
  step {
    user    = "vagrant"
    workdir = local.home
    run     = "find . -type f -name '*.o' -delete && rm -rf .cache"
  }

  # ~/.bashrc edits of the scripts, as environment and sourced files
  env = {
    PATH = "${local.home}/.local/bin:${local.home}/calculix-adapter/bin:${local.home}/dealii-adapter:$PATH"
  }
  source = [
    "${local.of_prefix}/etc/bashrc",
    "${local.home}/.alias",
  ]
  # upstream's provisioning scripts are bash scripts, and OpenFOAM's etc/bashrc is bash:
  # every step, the run wrapper and the profile source it in bash
  shell = "bash"

  # Vagrant's default synced folder; post-install links it to ~/Desktop/shared
  mount {
    source = "."
    target = "/vagrant"
  }

  workdir = local.home
  run     = ["/bin/bash", "-l"]

  vm {
    box    = "debian/bookworm64" # upstream: bento/ubuntu-24.04
    cpus   = 2                   # VirtualBox and libvirt, as upstream's two provider blocks
    memory = 2048
    name   = "preCICE-VM"
    gui    = true # the Xfce desktop in a VirtualBox window (libvirt: none, warned)
  }
}
