# "Big Data Engineering" lecture VM of Saarland University's Big Data Analytics Group
# (BigDataAnalyticsGroup/python, Vagrantfile), re-expressed for envc v2.
# Upstream: an Arch Linux Vagrant box provisioned with pacman, AUR builds (miniconda, Apache
# Spark, Neo4j) and a conda environment "bde" for the students' Jupyter notebooks, plus
# PostgreSQL and Neo4j services. Here: debian:bookworm, a Python venv instead of conda
# (see NOTES.md).

variable "spark_version" {
  type    = string
  default = "3.5.1"
}

locals {
  home       = "/home/vagrant"
  venv       = "/home/vagrant/bde"
  spark_home = "/opt/apache-spark"
}

environment "bde" {
  description = "Big Data Engineering lecture: Jupyter, pandas, PySpark, PostgreSQL, Neo4j, DuckDB"
  base        = "debian:bookworm" # upstream: Vagrant box archlinux/archlinux

  user "vagrant" {
    uid    = 1000
    gid    = 1000
    home   = local.home
    shell  = "/bin/bash"
    groups = ["sudo"]
  }

  # Neo4j: upstream builds the AUR package neo4j-community; Debian gets the vendor repository
  repository "neo4j" {
    url        = "https://debian.neo4j.com"
    key        = "https://debian.neo4j.com/neotechnology.gpg.key"
    suite      = "stable"
    components = ["latest"]
  }

  # root-setup: development tools, Python, Graphviz, a JDK for Spark; PostgreSQL and Neo4j
  packages = [
    "build-essential", "git", "binutils", "tree", "neovim", "sudo", "curl", "ca-certificates",
    "python3", "python3-pip", "python3-venv", "graphviz",
    "openjdk-17-jdk-headless",
    "postgresql",
    "neo4j",
  ]

  # Apache Spark (upstream: AUR package apache-spark, installed into /opt/apache-spark)
  step {
    run = <<-EOT
      mkdir -p ${local.spark_home}
      curl -fsSL https://archive.apache.org/dist/spark/spark-${var.spark_version}/spark-${var.spark_version}-bin-hadoop3.tgz | tar xz -C ${local.spark_home} --strip-components 1
    EOT
  }

  env = {
    SPARK_HOME  = local.spark_home
    VIRTUAL_ENV = local.venv
    PATH        = "${local.venv}/bin:${local.home}/.local/bin:$PATH:${local.spark_home}/bin"
  }

  # the students' Python environment (upstream: conda env "bde" with python 3.7.6, activated in .bashrc)
  pip {
    user = "vagrant"
    venv = local.venv # made first, as the user
    packages = [
      "numpy", "scipy", "matplotlib", "altair", "vega_datasets", "pandas", "jupyter",
      "notebook<7", "graphviz", "pyspark==${var.spark_version}", "findspark", "psycopg2-binary",
      "scrypt", "seaborn", "plotly", "tqdm", "ipywidgets", "ipycanvas", "ipyevents", "nltk",
      "duckdb", "scikit-learn", "pandasql", "sqlparse", "jupyter_contrib_nbextensions",
      "neo4j", "py2neo", "getmac",
    ]
  }
  step {
    user = "vagrant"
    run  = "jupyter contrib nbextension install --user && jupyter nbextension enable varInspector/main"
  }

  # SQLite3 kernel for Jupyter, from its repository
  step {
    user    = "vagrant"
    workdir = "/tmp"
    run     = <<-EOT
      git clone https://github.com/brownan/sqlite3-kernel.git
      cd sqlite3-kernel && pip install . && python -m sqlite3_kernel.install --user
      cd .. && rm -rf sqlite3-kernel
    EOT
  }

  # services: only a VM has an init system to run them
  step {
    only = ["vagrant"]
    run  = <<-EOT
      neo4j-admin dbms set-initial-password h6u4%kr
      systemctl enable --now postgresql neo4j
      hostnamectl set-hostname bde
    EOT
  }

  # ports of Jupyter, the Spark UI and the Neo4j browser
  port {
    guest = 8888
  }
  port {
    guest = 4040
  }
  port {
    guest = 7474
  }

  mount {
    source = "shared"
    target = "${local.home}/shared"
  }

  workdir = "${local.home}/shared"
  run     = ["jupyter", "notebook", "--no-browser", "--ip=0.0.0.0"]

  vm {
    box    = "debian/bookworm64" # upstream: archlinux/archlinux
    memory = 2048
    name   = "bde"
  }
}
