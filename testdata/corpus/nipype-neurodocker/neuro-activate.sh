# Activates the conda environment "neuro" (Neurodocker's miniconda activate=True adds this line
# to the image's entrypoint); written for the envc corpus.
. /opt/miniconda-latest/bin/activate neuro
