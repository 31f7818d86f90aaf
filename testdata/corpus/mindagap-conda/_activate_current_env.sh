# envc corpus placeholder for the micromamba image's activation script: the shell hook, then
# the base environment, for every later command
eval "$(micromamba shell hook --shell=bash)"
micromamba activate base
