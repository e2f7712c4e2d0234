# Sourced by the scripts: what mpirun needs on a workstation or a CI machine.
# Running as root (containers, CI) needs OpenMPI's explicit consent.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# More ranks than cores is fine for tests and the sample run.
export OMPI_MCA_rmaps_base_oversubscribe=1
# The Debian python3 holds h5py, whatever python3 comes first on PATH.
export BA_PYTHON=${BA_PYTHON:-/usr/bin/python3}
