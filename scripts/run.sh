#!/usr/bin/env bash
# Sets up the machine, builds the library and runs the main job: samples/fashion_mnist_mlp trains an
# MLP on Fashion-MNIST with a progress bar, prints its test accuracy and saves it as
# fashion_mnist_mlp.keras (arguments pass through to it). JOBS sets the build parallelism (default 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DKERAS_BUILD_SAMPLES=ON --log-level=WARNING
cmake --build build -j"${JOBS:-2}" --target fashion_mnist_mlp
exec ./build/samples/fashion_mnist_mlp "$@"
