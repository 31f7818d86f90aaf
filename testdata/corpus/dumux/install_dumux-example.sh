#!/bin/sh
# envc corpus placeholder for a DuMux module install script: fetch DUNE and DuMux, configure
set -e
for m in dune-common dune-geometry dune-grid dune-localfunctions dune-istl; do
  git clone --depth 1 -b releases/2.10 "https://gitlab.dune-project.org/core/$m.git"
done
git clone --depth 1 -b releases/3.10 https://git.iws.uni-stuttgart.de/dumux-repositories/dumux.git
./dune-common/bin/dunecontrol --builddir=build-cmake all
