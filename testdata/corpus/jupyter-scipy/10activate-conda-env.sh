# envc corpus placeholder for upstream's before-notebook.d hook: conda's shell functions
eval "$(conda shell.bash hook)"
