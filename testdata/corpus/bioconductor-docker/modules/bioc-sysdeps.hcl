# What bioconductor_docker adds to a rocker image (upstream: bioc_scripts/install_bioc_sysdeps.sh
# and the RUN around it): the system libraries every Bioconductor package needs to build, a few
# Python packages, BiocManager at the release, and R's site files.

variable "bioc_version" {
  type = string
}

variable "docker_version" {
  type = string
}

variable "r_home" {
  type    = string
  default = "/usr/local/lib/R" # rocker builds R into /usr/local
}

locals {
  # the script's apt-get install lists, in its order (Ubuntu names)
  basic     = ["apt-utils", "gdb", "libxml2-dev", "python3-pip", "libz-dev", "liblzma-dev", "libbz2-dev", "libpng-dev", "libgit2-dev"]
  bioc_full = ["pkg-config", "fortran77-compiler", "byacc", "automake", "curl", "cmake"]
  libraries = [
    "libpcre2-dev", "libnetcdf-dev", "libhdf5-serial-dev", "libfftw3-dev", "libopenbabel-dev",
    "libopenmpi-dev", "libxt-dev", "libudunits2-dev", "libgeos-dev", "libproj-dev", "libcairo2-dev",
    "libtiff5-dev", "libreadline-dev", "libgsl0-dev", "libgslcblas0", "libgtk2.0-dev",
    "libgl1-mesa-dev", "libglu1-mesa-dev", "libgmp3-dev", "libhdf5-dev", "libncurses-dev",
    "libxpm-dev", "liblapack-dev", "libv8-dev", "libgtkmm-2.4-dev", "libmpfr-dev",
    "libmodule-build-perl", "libapparmor-dev", "libprotoc-dev", "librdf0-dev", "libmagick++-dev",
    "libsasl2-dev", "libpoppler-cpp-dev", "libprotobuf-dev", "libpq-dev", "libarchive-dev",
    "coinor-libcgl-dev", "coinor-libsymphony-dev", "coinor-libsymphony-doc", "libpoppler-glib-dev",
  ]
  perl      = ["libperl-dev", "libarchive-extract-perl", "libfile-copy-recursive-perl", "libcgi-pm-perl", "libdbi-perl", "libdbd-mysql-perl", "libxml-simple-perl"]
  new_libs  = ["libglpk-dev", "libeigen3-dev", "liblz4-dev"]
  software  = ["sqlite", "openmpi-bin", "mpi-default-bin", "openmpi-common", "openmpi-doc", "tcl8.6-dev", "tk-dev", "default-jdk", "imagemagick", "tabix", "ggobi", "graphviz", "protobuf-compiler", "jags", "libhiredis-dev"]
  resources = ["xfonts-100dpi", "xfonts-75dpi", "biber", "libsbml5-dev", "libzmq3-dev", "python3-dev", "python3-venv"]
  more      = ["libmariadb-dev-compat", "libjpeg-dev", "libjpeg-turbo8-dev", "libjpeg8-dev", "libavfilter-dev", "libfuse-dev", "mono-runtime", "ocl-icd-opencl-dev"]
  gdal      = ["libgdal-dev", "default-libmysqlclient-dev", "libmysqlclient-dev"]
  site      = "${var.r_home}/etc/Renviron.site"
}

step {
  packages = concat(local.basic, local.bioc_full, local.libraries, local.perl, local.new_libs, local.software, local.resources, local.more)
}

pip {
  packages = ["scikit-learn", "pandas", "pyyaml"]
}

step {
  packages = local.gdal
}

# BiocManager at the release, devtools, and preprocessCore without threading
# (Bioconductor/bioconductor_docker#22)
step {
  run = <<-EOT
    Rscript -e 'install.packages("BiocManager", repos="https://cran.rstudio.com")'
    Rscript -e "BiocManager::install(version='${var.bioc_version}', update=TRUE, ask=FALSE)"
    Rscript -e "BiocManager::install(c('devtools'))"
    Rscript -e 'BiocManager::install("preprocessCore", configure.args = c(preprocessCore = "--disable-threading"), update=TRUE, force=TRUE, ask=FALSE, type="source")'
  EOT
}

# R's site files: a library the host can bind (host-site-library), the variables of
# Bioconductor's build machines, the versions, libsbml's flags; format-security as a warning
step {
  workdir = "/tmp"
  run     = <<-EOT
    curl -OL http://bioconductor.org/checkResults/devel/bioc-LATEST/Renviron.bioc
    sed -i '/^IS_BIOC_BUILD_MACHINE/d' Renviron.bioc
    grep -o '^[^#]*' Renviron.bioc | sed 's/export //g' >> /etc/environment
    {
      echo "R_LIBS=/usr/local/lib/R/host-site-library:\$${R_LIBS}"
      cat Renviron.bioc
      echo BIOCONDUCTOR_VERSION=${var.bioc_version}
      echo BIOCONDUCTOR_DOCKER_VERSION=${var.docker_version}
      echo 'LIBSBML_CFLAGS="-I/usr/include"'
      echo 'LIBSBML_LIBS="-lsbml"'
    } > ${local.site}
    rm -f Renviron.bioc
    sed -i 's/-Werror=format-security/-Wformat-security/g' ${var.r_home}/etc/Makeconf
  EOT
}
