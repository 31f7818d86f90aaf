#!/bin/sh
# Placeholder written for the corpus: stands for upstream's run-pacta.sh.
exec Rscript -e "cat('config:', commandArgs(TRUE), '\n')" "$@"
