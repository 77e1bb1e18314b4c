#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test; exits non-zero on any failure.
#   1. Release build (library, tests, samples, benchmarks) in build/, and the whole doctest suite
#   2. AddressSanitizer + UBSan build in build-asan/, and the whole suite under it (seconds)
#   3. an install into a temporary prefix, and tests/install (a find_package(keras) consumer) built
#      and run against it
# JOBS sets the build parallelism (default 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${JOBS:-2}
bash scripts/setup.sh

passed=0
failed=0
stage() { printf '\n== %s (at %ds)\n' "$*" "$SECONDS"; }
summary() { printf '\ntest.sh: %ds\ntests: %d passed, %d failed\n' "$SECONDS" "$passed" "$failed"; }

# Runs a doctest binary, keeping its output visible and adding its test-case counts to the totals.
run_doctest() {
  local log rc=0 counts
  log=$(mktemp)
  timeout 900 "$@" 2>&1 | tee "$log" || rc=$?
  # "[doctest] test cases: 17 | 17 passed | 0 failed | 0 skipped"
  counts=$(sed -nE 's/^\[doctest\] test cases: *[0-9]+ \| *([0-9]+) passed \| *([0-9]+) failed.*/\1 \2/p' "$log" | tail -1)
  rm -f "$log"
  if [ -n "$counts" ]; then
    passed=$((passed + ${counts% *}))
    failed=$((failed + ${counts#* }))
  fi
  if [ "$rc" -ne 0 ] || [ -z "$counts" ]; then
    [ -z "$counts" ] && echo "test.sh: $1 printed no doctest summary (exit status $rc)" >&2
    summary
    exit 1
  fi
}

stage "Release build"
# The libtorch peer (benchmarks/fashion_mnist_torch) is left to scripts/bench.sh: CI does not need it.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DKERAS_SANITIZE=OFF \
  -DKERAS_BUILD_TESTS=ON -DKERAS_BUILD_SAMPLES=ON -DKERAS_BUILD_BENCHMARKS=ON -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON \
  --log-level=WARNING
cmake --build build -j"$jobs"

stage "Test suite (Release)"
run_doctest ./build/tests/keras_tests

stage "AddressSanitizer + UndefinedBehaviorSanitizer build"
# -O1 keeps the sanitized build quick to compile and run; -g1 gives stack traces file:line.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DBUILD_SHARED_LIBS=ON -DKERAS_SANITIZE=ON -DKERAS_BUILD_TESTS=ON -DKERAS_BUILD_SAMPLES=OFF \
  -DKERAS_BUILD_BENCHMARKS=OFF --log-level=WARNING
cmake --build build-asan -j"$jobs" --target keras_tests

stage "Whole test suite (sanitizers)"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:check_initialization_order=1:strict_init_order=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_doctest ./build-asan/tests/keras_tests

stage "Install and find_package(keras) consumer"
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install build --prefix "$prefix" >/dev/null
rm -rf build-install
cmake -S tests/install -B build-install -DCMAKE_PREFIX_PATH="$prefix" --log-level=WARNING
cmake --build build-install -j"$jobs"
./build-install/consumer

summary
