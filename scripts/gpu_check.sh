#!/usr/bin/env bash
# The CUDA checks in two halves, for a GPU machine that runs what this machine builds:
#   scripts/gpu_check.sh build   here: builds keras_tests with the CUDA backend and bundles it, with
#                                the libraries the GPU machine lacks, into .gpu/ (git-ignored)
#   scripts/gpu_check.sh run     there: runs the cross-backend and device tests from .gpu/
# With the device tool: scripts/gpu_check.sh build, then run "scripts/gpu_check.sh run" with
# carry [".gpu"] and a timeout of about 300 s.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${DEVICE_BUNDLE:-/work/shared/tools/device-bundle}
case "${1:-}" in
  build)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DKERAS_BUILD_SAMPLES=OFF -DKERAS_BUILD_BENCHMARKS=OFF -DKERAS_CUDA=ON
    cmake --build build -j2 --target keras_tests
    rm -rf .gpu
    "$bundle" .gpu build/tests/keras_tests
    exclude=$(git rev-parse --git-path info/exclude)
    mkdir -p "$(dirname "$exclude")"
    grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >> "$exclude"
    ;;
  run)
    command -v nvidia-smi > /dev/null && nvidia-smi -L
    # Cross-backend comparisons first (they say so when no GPU is visible), then the device,
    # allocator and training tests, which run on the CPU too.
    .gpu/run keras_tests -sf='*cross_backend*'
    .gpu/run keras_tests -sf='*device_test*,*allocator_test*,*trainer_test*'
    ;;
  *)
    sed -n '2,7p' "$0"
    exit 2
    ;;
esac
