#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

enum class Distribution : uint8_t { uniform, normal, truncated_normal };

/// Fills a new tensor from a counter-based generator (Philox-4x32-10): the same (seed, counter)
/// gives the same numbers on every backend and thread count.
/// uniform: [a, b); normal: mean a, stddev b; truncated_normal: normal redrawn outside 2 stddevs.
struct RandomArgs {
  Distribution distribution;
  Shape shape;
  DType dtype = DType::float32;
  double a = 0.0;
  double b = 1.0;
  uint64_t seed = 0;
  uint64_t counter = 0;
  Device device = {};
};
Tensor random(const RandomArgs& args);

}  // namespace keras::kernels
