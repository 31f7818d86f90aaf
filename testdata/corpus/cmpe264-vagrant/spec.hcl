# SJSU CMPE 264 course VM (SJSU-CMPE-264/Vagrant Vagrantfile), re-expressed for envc.
# Upstream: Vagrant box ubuntu/bionic64, VirtualBox VM "264-Environment" (2 CPUs, 2 GiB), an
# inline provisioning script (cocotb, Icarus Verilog, toolchain), an optional GUI variant
# (ubuntu-desktop, GTKWave, Sublime Text from its apt repository, vb.gui = true, a reboot),
# here a second environment built on the first.
# Here the base is debian:bookworm; see NOTES.md.

locals {
  home = "/home/vagrant"
}

environment "cmpe264" {
  description = "CMPE 264 testing and development environment: cocotb and Icarus Verilog"
  base        = "debian:bookworm" # upstream: ubuntu/bionic64 box
  recommends  = true              # upstream's plain apt-get install -y

  packages = [
    "apt-utils", "git", "vim", "dirmngr", "gnupg", "gnupg-agent", "software-properties-common",
    "python3", "autoconf", "gperf", "bison", "flex", "gcc", "g++", "make", "colormake", "swig",
    "python3-dev", "cmake", "subversion", "iverilog", "python3-pip",
  ]

  # the box's own login user
  user "vagrant" {
    uid   = 1000
    gid   = 1000
    home  = local.home
    shell = "/bin/bash"
  }

  # colored prompt, the course's verification folder, COCOTB in .bashrc
  step {
    user = "vagrant"
    run  = <<-EOT
      touch ~/.bashrc
      sed -i '/force_color_prompt=yes/s/^#//g' ~/.bashrc
      echo "export COCOTB=~/cocotb" >> ~/.bashrc
    EOT
  }

  # cocotb from its repository, its dff example run once as a check
  step {
    user    = "vagrant"
    workdir = local.home
    run     = "git clone https://github.com/potentialventures/cocotb.git && make -C cocotb/examples/dff/tests > /dev/null"
  }

  # the course's verification submodule, shared with the host
  mount {
    source = "verification"
    target = "/home/vagrant/verification"
  }

  user = "vagrant"
  run  = ["bash", "-l"]

  vm {
    box    = "debian/bookworm64" # upstream: ubuntu/bionic64
    cpus   = 2
    memory = 2048
    name   = "264-Environment"
  }
}

# The GUI variant: upstream uncomments `v.gui = true` and the $gui provisioner
environment "cmpe264-gui" {
  description = "CMPE 264 environment with a desktop, GTKWave and Sublime Text"
  from        = environment.cmpe264

  # upstream: apt-key add of the key, sources.list.d line (a flat repository)
  repository "sublime-text" {
    url   = "https://download.sublimetext.com/"
    key   = "https://download.sublimetext.com/sublimehq-pub.gpg"
    suite = "apt/stable/"
  }

  # upstream: ubuntu-desktop (Debian: the GNOME desktop task)
  packages = ["task-gnome-desktop", "gtkwave", "sublime-text"]

  # the course's folder is shared again: mounts are not inherited
  mount {
    source = "verification"
    target = "/home/vagrant/verification"
  }

  vm {
    box    = "debian/bookworm64"
    cpus   = 2
    memory = 2048
    name   = "264-Environment"
    gui    = true # v.gui = true
    reboot = true # the $gui provisioner ends with `reboot`
  }
}
