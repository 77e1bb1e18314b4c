#pragma once
// Cross-backend checks, after ggml's test-backend-ops: run one computation on the CPU and on a CUDA
// device from the same random inputs, and compare every output (and gradient) within a tolerance
// set by dtype. Any test file can use them; with no GPU, callers skip with a MESSAGE.
#include <keras/keras.h>
#include <keras/kernels/device_memory.h>

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace keras::testing {

/// True when a CUDA device can run the cross-backend tests.
inline bool cuda_available() { return kernels::cuda_device_count() > 0; }

/// |got - expected| <= atol + rtol * |expected|.
struct Tolerance {
  double atol = 0.0;
  double rtol = 0.0;
};

/// Default tolerances: tight for float64, a few ulps of float32 (libm and CUDA's math differ), a
/// rounding step for the half types, exact for integers and bool.
inline Tolerance tolerance_for(DType dtype) {
  switch (dtype) {
    case DType::float64: return {1e-12, 1e-12};
    case DType::float32: return {1e-5, 1e-5};
    case DType::float16: return {1e-3, 2e-3};     // an ulp is 2^-10: one rounding step apart
    case DType::bfloat16: return {1e-2, 1.6e-2};  // an ulp is 2^-7
    default: return {0.0, 0.0};
  }
}

/// A host tensor of `shape` with values uniform in [lo, hi) from `seed` (rounded for integers).
inline Tensor random_tensor(const Shape& shape, DType dtype, double lo = -2.0, double hi = 2.0, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> values(static_cast<size_t>(shape.size()));
  for (double& v : values) v = is_floating(dtype) ? dist(rng) : std::floor(dist(rng));
  return Tensor::from_vector(values, shape).astype(dtype);
}

/// Checks `got` (on any device) against `expected` (on the cpu): shape, dtype, device-free values;
/// NaN must meet NaN and infinities must match.
inline void check_close(const Tensor& expected, const Tensor& got, const std::string& what,
                        std::optional<Tolerance> tolerance = std::nullopt) {
  INFO(what);
  REQUIRE(expected.defined() == got.defined());
  if (!expected.defined()) return;
  REQUIRE(got.shape() == expected.shape());
  REQUIRE(got.dtype() == expected.dtype());
  const Tolerance tol = tolerance.value_or(tolerance_for(expected.dtype()));
  const std::vector<double> e = expected.to_vector<double>();
  const std::vector<double> g = got.to_vector<double>();  // copies a device tensor to the host
  size_t bad = 0;
  size_t first_bad = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    const bool ok = std::isnan(e[i]) ? std::isnan(g[i])
                    : std::isinf(e[i]) ? g[i] == e[i]
                                       : std::fabs(g[i] - e[i]) <= tol.atol + tol.rtol * std::fabs(e[i]);
    if (!ok && bad++ == 0) first_bad = i;
  }
  if (bad) {
    FAIL_CHECK(bad << " of " << e.size() << " elements differ; first at flat index " << first_bad << ": cpu "
                   << e[first_bad] << ", device " << g[first_bad] << " (atol " << tol.atol << ", rtol " << tol.rtol
                   << ")");
  }
}

/// Runs `fn` on `inputs` (host tensors) on the CPU, and on copies of them on `device`, and compares
/// every output.
inline void compare_forward(const std::string& what, const std::function<Tensors(const Tensors&)>& fn,
                            const Tensors& inputs, Device device, std::optional<Tolerance> tolerance = std::nullopt) {
  const Tensors expected = fn(inputs);
  Tensors moved;
  for (const Tensor& t : inputs) moved.push_back(t.defined() ? t.to(device) : t);
  const Tensors got = fn(moved);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].defined()) CHECK_MESSAGE(got[i].device() == device, what << ": output " << i << " left the device");
    check_close(expected[i], got[i], what + " (output " + std::to_string(i) + ")", tolerance);
  }
}

/// As compare_forward, then backward through the tape: the gradients of the first output, seeded
/// with the same random cotangent on both backends, with respect to every floating input.
inline void compare_forward_backward(const std::string& what, const std::function<Tensor(const Tensors&)>& fn,
                                     const Tensors& inputs, Device device,
                                     std::optional<Tolerance> tolerance = std::nullopt) {
  auto run = [&](const Tensors& xs, Device on) {
    Tensors sources;
    for (const Tensor& t : xs) {
      if (t.defined() && is_floating(t.dtype())) sources.push_back(t);
    }
    GradientTape tape;
    tape.watch(sources);
    const Tensor y = fn(xs);
    const Tensor seed = random_tensor(y.shape(), y.dtype(), -1.0, 1.0, 7).to(on);
    Tensors out{y};
    const Tensors grads = tape.gradient(y, sources, {.output_gradients = {seed}});
    out.insert(out.end(), grads.begin(), grads.end());
    return out;
  };
  const Tensors expected = run(inputs, Device::cpu());
  Tensors moved;
  for (const Tensor& t : inputs) moved.push_back(t.defined() ? t.to(device) : t);
  const Tensors got = run(moved, device);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    check_close(expected[i], got[i], what + (i == 0 ? std::string(" (forward)") : " (gradient " + std::to_string(i - 1) + ")"),
                tolerance);
  }
}

}  // namespace keras::testing
