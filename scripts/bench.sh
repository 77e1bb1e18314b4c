#!/usr/bin/env bash
# Fashion-MNIST benchmark: keras-cpp against libtorch at its fastest, on the same machine in the same
# run, for the MLP and the simple CNN. Prints each run's RESULT lines, then the median of each figure
# and the ratios, per model.
#   RUNS     runs of each implementation and model, interleaved (default 3)
#   MODELS   models to run (default "mlp cnn")
#   MODES    keras-cpp's execution modes (default "graph eager": fit's default, traced steps, and
#            compile({.run_eagerly = true})); RATIO lines compare each with libtorch
#   POLICIES keras-cpp dtype policies (default "float32"; e.g. "float32 mixed_bfloat16"): each other
#            than float32 adds RESULT/MEDIAN lines with policy=<name>
#   THREADS  OpenMP threads for both (default 2)
#   JOBS     build parallelism (default 2)
#   BUILD    build directory (default build-bench)
#   PAUSE    seconds to wait before each process (default 0). On the shared 2-vCPU virtual machines
#            here the host slows a vCPU that has been busy for a while: for about a minute after a
#            CNN run both libraries' MLP ran ~1.6x slower, so without pauses the figures depend on
#            the order the processes run in; PAUSE=60 measures each from rest
# Debian's libtorch uses whichever libblas.so.3 the alternatives system points at; the reference
# BLAS is about 20 times slower than OpenMP OpenBLAS, so this script installs libopenblas0-openmp,
# selects it, and pins OpenBLAS's AVX-512 kernels on CPUs that have them (OPENBLAS_CORETYPE, from the
# CPU's flags; CORETYPE=... chooses another) rather than trusting its runtime detection of the CPU.
# An OPENBLAS_CORETYPE inherited from the environment is replaced: these machines' images set
# Haswell (AVX2) globally, which ran libtorch below its best. Neither package is
# needed to build or test keras-cpp, which is why setup.sh does not install them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${RUNS:-3}
# A CPU-only build of its own: linking the CUDA libraries adds ~180 MB of resident memory at start
# (measured), which is not what a CPU model costs and not what the CPU-only libtorch peer carries.
build=${BUILD:-build-bench}
bash scripts/setup.sh

sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)

missing=()
for package in libtorch-dev libopenblas0-openmp; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

multiarch=$(gcc -print-multiarch)
for lib in libblas.so.3 liblapack.so.3; do
  want=/usr/lib/$multiarch/openblas-openmp/$lib
  if [ "$(readlink -f "/usr/lib/$multiarch/$lib")" != "$(readlink -f "$want")" ]; then
    echo "bench: selecting $want"
    "${sudo[@]}" update-alternatives --quiet --set "$lib-$multiarch" "$want"
  fi
done

export OMP_NUM_THREADS=${THREADS:-2}
inherited=${OPENBLAS_CORETYPE:-}
unset OPENBLAS_CORETYPE
if [ -n "${CORETYPE:-}" ]; then
  export OPENBLAS_CORETYPE=$CORETYPE
else
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  if [[ " $flags " == *" avx512_bf16 "* ]]; then
    export OPENBLAS_CORETYPE=Cooperlake
  elif [[ " $flags " == *" avx512f "* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  fi
fi
if [ -n "$inherited" ] && [ "$inherited" != "${OPENBLAS_CORETYPE:-}" ]; then
  echo "bench: OPENBLAS_CORETYPE=$inherited from the environment replaced by ${OPENBLAS_CORETYPE:-unset}"
fi

# glibc's hugetlb tunable (glibc 2.35 and later) lets malloc's big blocks use transparent huge pages.
# On the virtual machines here a 4 KiB page fault costs 10-14 us (a pool of fresh memory fills at
# 0.3-0.4 GB/s, against 18 GB/s with huge pages): libtorch's CNN predict, whose im2col buffers are
# fresh memory every batch, ran at 1.1k samples/s without it and 6.6k with it. keras-cpp's host pool
# maps its big blocks with huge pages itself, so the tunable changes little for it; both programs
# run with it all the same, in one environment. A value already set is kept.
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKERAS_BUILD_BENCHMARKS=ON -DKERAS_CUDA=OFF --log-level=WARNING
cmake --build "$build" -j"${JOBS:-2}" --target fashion_mnist fashion_mnist_torch

echo "bench: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores," \
  "OMP_NUM_THREADS=$OMP_NUM_THREADS OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} GLIBC_TUNABLES=$GLIBC_TUNABLES, $runs runs"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ((run = 1; run <= runs; ++run)); do
  echo "bench: run $run of $runs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  # One process per implementation and model, so each peak_rss_mb is that model's alone.
  for model in ${MODELS:-mlp cnn}; do
    for mode in ${MODES:-graph eager}; do
      for policy in ${POLICIES:-float32}; do
        sleep "${PAUSE:-0}"
        "./$build/benchmarks/fashion_mnist" "$model" --mode "$mode" --dtype-policy "$policy" | tee -a "$log"
      done
    done
    sleep "${PAUSE:-0}"
    "./$build/benchmarks/fashion_mnist_torch" "$model" | tee -a "$log"
  done
done

# Medians of each RESULT field per implementation and model, then keras-cpp / libtorch per model.
awk '
  function median(id, key,   n, i, j, t, v) {
    n = count[id]
    for (i = 1; i <= n; ++i) v[i] = value[id, key, i]
    for (i = 2; i <= n; ++i) for (j = i; j > 1 && v[j - 1] > v[j]; --j) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  $1 == "RESULT" {
    delete field
    for (i = 2; i <= NF; ++i) { split($i, kv, "="); field[kv[1]] = kv[2] }
    # One group per implementation, model, mode and policy (libtorch has no mode, float32 no policy).
    id = field["impl"] " " field["model"] " " (("mode" in field) ? field["mode"] : "-") " " \
         (("policy" in field) ? field["policy"] : "float32")
    models[field["model"]] = 1
    n = ++count[id]
    for (k in field) value[id, k, n] = field[k]
  }
  END {
    keys = "epoch_s train_sps infer_sps test_acc peak_rss_mb base_rss_mb"
    split(keys, key, " ")
    nmodes = split("graph eager", mode_list, " ")
    print "\nmedians:"
    for (id in count) {
      split(id, part, " ")
      line = sprintf("MEDIAN impl=%s%s model=%s%s runs=%d", part[1], part[3] == "-" ? "" : " mode=" part[3], part[2],
                     part[4] == "float32" ? "" : " policy=" part[4], count[id])
      for (k = 1; k <= 6; ++k) line = line sprintf(" %s=%s", key[k], median(id, key[k]))
      print line
    }
    for (m in models) {
      b = "libtorch " m " - float32"
      for (mi = 1; mi <= nmodes; ++mi) {
        a = "keras-cpp " m " " mode_list[mi] " float32"
        if (count[a] && count[b]) {
          # above_base: the peak less the datasets and libraries held before the model was made.
          pa = median(a, "peak_rss_mb") - median(a, "base_rss_mb"); pb = median(b, "peak_rss_mb") - median(b, "base_rss_mb")
          printf "RATIO model=%s mode=%s keras-cpp/libtorch train_sps=%.2f infer_sps=%.2f peak_rss_mb=%.2f peak_above_base_mb=%.1f/%.1f (speed above 1 and memory below 1: keras-cpp is better)\n",
            m, mode_list[mi], median(a, "train_sps") / median(b, "train_sps"), median(a, "infer_sps") / median(b, "infer_sps"),
            median(a, "peak_rss_mb") / median(b, "peak_rss_mb"), pa, pb
        }
      }
      g = "keras-cpp " m " graph float32"; e = "keras-cpp " m " eager float32"
      if (count[g] && count[e]) {
        printf "RATIO model=%s graph/eager train_sps=%.2f infer_sps=%.2f\n", m,
          median(g, "train_sps") / median(e, "train_sps"), median(g, "infer_sps") / median(e, "infer_sps")
      }
    }
  }' "$log"
