# envc corpus placeholder for OpenFOAM's etc/prefs.sh: build against the system MPICH
export WM_MPLIB=SYSTEMMPI
export MPI_ROOT=/usr
export MPI_ARCH_FLAGS="-DMPICH_SKIP_MPICXX"
export MPI_ARCH_INC="-I $MPI_ROOT/include/x86_64-linux-gnu/mpich"
export MPI_ARCH_LIBS="-L$MPI_ROOT/lib/x86_64-linux-gnu -lmpich -lrt"
