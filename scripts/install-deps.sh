#!/usr/bin/env bash
# Installs the Debian packages the build, the job and the tests need, and only those missing.
# With arguments, installs those packages instead (the Slurm test and the fuzz script use it).
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libopenmpi-dev openmpi-bin
  libhdf5-openmpi-dev hdf5-tools
  libboost-program-options-dev
  libgtest-dev
  libssl-dev
  python3 python3-h5py python3-numpy
  clang libclang-rt-14-dev util-linux
)
[ $# -gt 0 ] && packages=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # Through env: sudo drops DEBIAN_FRONTEND from the caller's environment.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: present: ${packages[*]}"
