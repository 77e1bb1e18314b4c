#!/usr/bin/env bash
# Installs the Debian packages keras-cpp builds, tests and runs with. Idempotent: when everything
# is present it prints nothing and touches nothing; otherwise it runs apt-get update once and
# installs only what is missing (as root, or through sudo).
set -euo pipefail

packages=(
  cmake make g++ ccache
  libdnnl-dev           # oneDNN 2.6 (v2 API): the CPU kernels
  ocl-icd-opencl-dev    # NOTE: Debian's oneDNN CMake config requires OpenCL (its GPU runtime); only Recommended
  nlohmann-json3-dev    # model configs
  libhdf5-dev           # weights files
  libzip-dev            # .npz and .keras archives
  zipcmp zipmerge ziptool  # NOTE: Debian's libzip CMake config fails unless these tools exist
  zlib1g-dev            # gzip-compressed IDX files (Fashion-MNIST)
  doctest-dev           # the test suite
  clang-14 libclang-rt-14-dev libomp-14-dev  # the sanitizer build and its libFuzzer targets
  dataset-fashion-mnist # the data set the samples train on
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
