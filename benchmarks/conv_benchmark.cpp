// Throughput of the convolution kernels at the Fashion-MNIST CNN's two conv layers (batch 128,
// channels_last): Conv2D(32, 3x3, relu) on 28x28x1 and Conv2D(64, 3x3, relu) on 13x13x32. Each kernel
// (forward with bias + relu fused, backward data, backward weights + bias) in GFLOP/s, then a whole
// forward + backward through ops and GradientTape as the layer runs it. Best of repeated calls after
// a warm-up. Threads: OMP_NUM_THREADS. ONEDNN_VERBOSE=1 shows which implementation oneDNN picks.
#include <keras/keras.h>
#include <keras/kernels/conv.h>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace keras;

namespace {

constexpr double kMinSeconds = 0.5;
constexpr int kMinCalls = 5;

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

Tensor uniform(const Shape& shape, uint64_t seed) {
  return random::uniform(shape, {.minval = -1.0, .maxval = 1.0, .seed = seed});
}

void report(const char* what, double flops, double seconds) {
  std::printf("  %-34s %8.1f GFLOP/s %9.3f ms\n", what, flops / seconds * 1e-9, seconds * 1e3);
}

// One valid 3x3 stride-1 conv layer: batch n, h x w x c in, o filters. `first`: the model's first
// layer, whose input (the data) needs no gradient.
double bench_layer(const char* name, int64_t n, int64_t h, int64_t w, int64_t c, int64_t o, bool first) {
  const Tensor x = uniform({n, h, w, c}, 1), k = uniform({3, 3, c, o}, 2), b = uniform({o}, 3);
  const int64_t oh = h - 2, ow = w - 2;
  const Tensor dy = uniform({n, oh, ow, o}, 4);
  const double flops = 2.0 * static_cast<double>(n * oh * ow * o * c * 9);
  const kernels::ConvGeometry g{.strides = {1, 1}, .dilation = {1, 1}, .padding_l = {0, 0}, .padding_r = {0, 0}};
  std::printf("%s: (%lld, %lld, %lld, %lld) -> (%lld, %lld, %lld, %lld), %.1f MFLOP per pass\n", name,
              static_cast<long long>(n), static_cast<long long>(h), static_cast<long long>(w),
              static_cast<long long>(c), static_cast<long long>(n), static_cast<long long>(oh),
              static_cast<long long>(ow), static_cast<long long>(o), flops * 1e-6);
  const double fwd =
      best_seconds([&] { kernels::conv_forward({x, k, g, b, kernels::ConvActivation::relu}); });
  report("forward (bias + relu fused)", flops, fwd);
  if (!first) {
    const double bwd_data = best_seconds([&] { kernels::conv_backward_data({dy, k, x.shape(), g}); });
    report("backward data", flops, bwd_data);
  }
  const double bwd_weights = best_seconds([&] { kernels::conv_backward_weights({x, dy, k.shape(), g, true}); });
  report("backward weights + bias", flops, bwd_weights);
  // The layer's path: fused op, relu mask, (input,) kernel and bias gradients through the tape.
  Variable kv(k), bv(b);
  const double step = best_seconds([&] {
    GradientTape tape;
    if (!first) tape.watch(x);
    const Tensor y = ops::conv_bias_activation(x, kv, bv, {}, "relu");
    Tensors sources{kv.value(), bv.value()};
    if (!first) sources.push_back(x);
    tape.gradient(y, sources, {.output_gradients = {dy}});
  });
  report(first ? "ops forward + backward (k, b)" : "ops forward + backward (x, k, b)", (first ? 2 : 3) * flops, step);
  return step;
}

}  // namespace

int main() {
  std::printf("conv_benchmark: %d OpenMP threads\n", omp_get_max_threads());
  const double a = bench_layer("conv1", 128, 28, 28, 1, 32, true);
  const double b = bench_layer("conv2", 128, 13, 13, 32, 64, false);
  std::printf("both conv layers, forward + backward: %.3f ms per batch of 128 (%.0f samples/s for the convs alone)\n",
              (a + b) * 1e3, 128.0 / (a + b));
  return 0;
}
