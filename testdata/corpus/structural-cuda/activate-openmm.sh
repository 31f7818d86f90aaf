# envc corpus placeholder: what upstream's `conda activate openmm-env` line in ~/.bashrc does,
# for every shell and the run command
. /opt/conda/etc/profile.d/conda.sh
conda activate openmm-env
