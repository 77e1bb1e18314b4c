// Throughput of the CPU kernels: matmul in GFLOP/s (square and at the shapes of an MLP's training
// step), elementwise ops and softmax in GB/s, and one whole MLP training step through ops and
// GradientTape. Each figure is the best of repeated timed calls after a warm-up call, because the
// best is what a shared machine disturbs least. Threads: OMP_NUM_THREADS (OpenMP's default: all cores).
#include <keras/keras.h>
#include <keras/kernels/elementwise.h>
#include <keras/kernels/matmul.h>
#include <keras/kernels/softmax.h>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace keras;

namespace {

constexpr double kMinSeconds = 0.3;  // per figure: long enough to see through timer noise
constexpr int kMinCalls = 3;

// Best seconds per call of fn over at least kMinSeconds and kMinCalls, after one untimed call.
template <class F>
double best_seconds(F&& fn) {
  using clock = std::chrono::steady_clock;
  fn();
  double best = 1e30, total = 0;
  for (int calls = 0; calls < kMinCalls || total < kMinSeconds; ++calls) {
    const auto start = clock::now();
    fn();
    const double s = std::chrono::duration<double>(clock::now() - start).count();
    best = std::min(best, s);
    total += s;
  }
  return best;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

Tensor uniform(const Shape& shape) { return random::uniform(shape, {.minval = -1.0, .maxval = 1.0, .seed = 1}); }

void report_matmul(const char* what, int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  const Tensor a = ta ? uniform({k, m}) : uniform({m, k});
  const Tensor b = tb ? uniform({n, k}) : uniform({k, n});
  const double s = best_seconds([&] { kernels::matmul({a, b, Tensor(), ta, tb}); });
  std::printf("  %-30s %5lldx%-5lld @ %5lldx%-5lld %9.1f GFLOP/s  %9.3f ms\n", what, static_cast<long long>(m),
              static_cast<long long>(k), static_cast<long long>(k), static_cast<long long>(n),
              2.0 * static_cast<double>(m * k * n) / s * 1e-9, s * 1e3);
}

// bytes: everything read and written once per call.
void report_bandwidth(const char* what, const Shape& shape, int operands, const std::function<void()>& fn) {
  const double bytes = static_cast<double>(operands) * static_cast<double>(shape.size()) * sizeof(float);
  const double s = best_seconds(fn);
  std::printf("  %-14s %-14s %8.1f GB/s   %8.3f ms\n", what, shape.str().c_str(), bytes / s * 1e-9, s * 1e3);
}

}  // namespace

int main() {
  std::printf("keras-cpp ops benchmark: %s, %d OpenMP threads, float32\n\n", cpu_model().c_str(), omp_get_max_threads());

  std::printf("matmul, square (ops::matmul)\n");
  for (int64_t n : {512, 1024, 2048}) {
    const Tensor a = uniform({n, n}), b = uniform({n, n});
    const double s = best_seconds([&] { ops::matmul(a, b); });
    std::printf("  %4lld^3 %9.1f GFLOP/s  %9.3f ms\n", static_cast<long long>(n),
                2.0 * static_cast<double>(n * n * n) / s * 1e-9, s * 1e3);
  }

  // Per Dense layer (in -> out) at batch B, the training step runs three matmuls:
  // forward y = x W, backward dx = dy W^T and dW = x^T dy (transposes folded into the kernel).
  const int64_t batch = 128;
  const std::vector<std::pair<int64_t, int64_t>> layers{{784, 256}, {256, 128}, {128, 10}};
  std::printf("\nmatmul at the shapes of a 784-256-128-10 MLP, batch %lld (kernels::matmul)\n",
              static_cast<long long>(batch));
  for (const auto& [in, out] : layers) {
    const std::string name = std::to_string(in) + "->" + std::to_string(out);
    report_matmul((name + " forward  x W").c_str(), batch, in, out, false, false);
    report_matmul((name + " backward dy W^T").c_str(), batch, out, in, false, true);
    report_matmul((name + " backward x^T dy").c_str(), in, batch, out, true, false);
  }

  std::printf("\nMLP 784-256-128-10 training step, batch %lld (ops + GradientTape + SGD update)\n",
              static_cast<long long>(batch));
  {
    const Tensor x = uniform({batch, 784});
    std::vector<float> one_hot(static_cast<size_t>(batch * 10), 0.f);
    for (int64_t i = 0; i < batch; ++i) one_hot[static_cast<size_t>(i * 10 + i % 10)] = 1.f;
    const Tensor targets = Tensor::from_vector(one_hot, {batch, 10});
    const Tensor zero = Tensor::scalar(0.f);
    std::vector<Variable> weights;
    for (const auto& [in, out] : layers) {
      weights.emplace_back(ops::multiply(uniform({in, out}), Tensor::scalar(0.05f)));
      weights.emplace_back(ops::zeros({out}));
    }
    const double seconds = best_seconds([&] {
      GradientTape tape;
      Tensor h = x;
      for (size_t l = 0; l < layers.size(); ++l) {
        h = ops::matmul(h, weights[2 * l]) + weights[2 * l + 1];
        if (l + 1 < layers.size()) h = ops::maximum(h, zero);  // relu
      }
      const Tensor loss = ops::mean(ops::logsumexp(h, -1) - ops::sum(h * targets, -1));
      const Tensors grads = tape.gradient(loss, weights);
      for (size_t i = 0; i < weights.size(); ++i) weights[i].assign_sub(grads[i] * 0.01);
    });
    // Forward x W for every layer, dW for every layer, dx for all but the first (x is not watched).
    double flops = 0;
    for (size_t l = 0; l < layers.size(); ++l) {
      flops += 2.0 * static_cast<double>(batch * layers[l].first * layers[l].second) * (l == 0 ? 2 : 3);
    }
    std::printf("  %.3f ms per step, %.0f samples/s, matmul work at %.1f GFLOP/s\n", seconds * 1e3,
                static_cast<double>(batch) / seconds, flops / seconds * 1e-9);
  }

  // 4 MiB per tensor stays in the allocator's reuse and near the caches; 64 MiB per tensor streams
  // from memory and pays for fresh pages on every new output.
  std::printf("\nelementwise and softmax, float32 (kernels; GB/s counts each operand read or written once)\n");
  for (const Shape& shape : {Shape{1024, 1024}, Shape{16384, 1024}}) {
    const Tensor a = uniform(shape), b = uniform(shape);
    using kernels::BinaryOp;
    using kernels::UnaryOp;
    report_bandwidth("add", shape, 3, [&] { kernels::binary({BinaryOp::add, a, b}); });
    report_bandwidth("multiply", shape, 3, [&] { kernels::binary({BinaryOp::multiply, a, b}); });
    report_bandwidth("relu", shape, 2, [&] { kernels::unary({UnaryOp::relu, a}); });
    report_bandwidth("exp", shape, 2, [&] { kernels::unary({UnaryOp::exp, a}); });
    report_bandwidth("softmax", shape, 2, [&] { kernels::softmax(a, 1, false); });
  }

  // What one op costs beyond its arithmetic: validation, dispatch, allocation, and the tape's record.
  std::printf("\nper-op overhead (ops::add of two (1,) tensors)\n");
  {
    const Tensor a = Tensor({1.f}), b = Tensor({2.f});
    auto add_many = [&] {
      for (int i = 0; i < 1000; ++i) ops::add(a, b);
    };
    std::printf("  no tape         %8.2f us per op\n", best_seconds(add_many) * 1e3);
    GradientTape tape({.persistent = true});
    tape.watch(a);
    std::printf("  recording tape  %8.2f us per op\n", best_seconds([&] {
                  add_many();
                  tape.reset();
                  tape.watch(a);
                }) * 1e3);
  }
  return 0;
}
