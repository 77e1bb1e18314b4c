#pragma once
// What the two Fashion-MNIST benchmarks (keras-cpp and libtorch) share: the workload's constants,
// the clock, peak RSS and the RESULT line scripts/bench.sh parses. Header-only and free of both
// libraries' headers, so the libtorch program need not see keras-cpp's.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace bench {

constexpr int kBatchSize = 128;
constexpr int kPredictBatchSize = 1000;
constexpr double kLearningRate = 1e-3;
constexpr int kDefaultThreads = 2;

/// Threads to run on: $OMP_NUM_THREADS when set, else 2 (the figure the README compares at).
inline int threads() {
  const char* env = std::getenv("OMP_NUM_THREADS");
  const int n = env ? std::atoi(env) : 0;
  return n > 0 ? n : kDefaultThreads;
}

/// Seconds since an arbitrary start, from a monotonic clock.
inline double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// A size field of /proc/self/status ("VmHWM:", "VmRSS:"; in KiB there), in MiB; 0 if unknown.
inline double status_mb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field, 0) == 0) return std::strtod(line.c_str() + field.size(), nullptr) / 1024.0;
  }
  return 0.0;
}

/// The process's peak resident set so far, in MiB; 0 if unknown.
inline double peak_rss_mb() { return status_mb("VmHWM:"); }

/// The resident set when the run began (libraries and the datasets both programs hold), in MiB.
inline double& base_rss_mb() {
  static double base = 0.0;
  return base;
}

/// Starts the peak resident set afresh from the current one (Linux's clear_refs "5"), so that a
/// second model run in the same process reports its own peak, and notes that starting point.
inline void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.close();
  base_rss_mb() = status_mb("VmRSS:");
}

struct Result {
  std::string impl;
  double epoch_s;         // one epoch of fit over the training set, shuffling included
  double train_samples;   // samples in that epoch
  double infer_s;         // predicting the whole test set
  double infer_samples;
  double test_acc;
  std::string model = "mlp";
  std::string mode = {};    // keras-cpp's graph or eager (libtorch has none)
  std::string policy = {};  // a dtype policy other than float32
};

/// Prints the line scripts/bench.sh reads; its fields are fixed, in this order. base_rss_mb, last, is
/// what peak_rss_mb started from: the process with its datasets loaded and scaled, before the model.
inline void print_result(const Result& r) {
  const std::string mode = r.mode.empty() ? "" : " mode=" + r.mode;
  const std::string policy = r.policy.empty() ? "" : " policy=" + r.policy;
  std::printf("RESULT impl=%s%s model=%s%s epoch_s=%.3f train_sps=%.0f infer_sps=%.0f test_acc=%.4f peak_rss_mb=%.1f "
              "base_rss_mb=%.1f\n",
              r.impl.c_str(), mode.c_str(), r.model.c_str(), policy.c_str(), r.epoch_s, r.train_samples / r.epoch_s,
              r.infer_samples / r.infer_s, r.test_acc, peak_rss_mb(), base_rss_mb());
  std::fflush(stdout);
}

/// The line of a device run (after the GPU benchmark): samples per second of training one
/// epoch (after a warm-up) and of predicting the test set, at one batch size.
inline void print_device_result(const std::string& impl, const std::string& device, const std::string& model, int batch,
                                double train_sps, double infer_sps, double test_acc, const std::string& mode = {}) {
  std::printf("RESULT impl=%s device=%s model=%s batch=%d%s%s train_sps=%.0f infer_sps=%.0f test_acc=%.4f\n",
              impl.c_str(), device.c_str(), model.c_str(), batch, mode.empty() ? "" : " mode=", mode.c_str(), train_sps,
              infer_sps, test_acc);
  std::fflush(stdout);
}

}  // namespace bench
