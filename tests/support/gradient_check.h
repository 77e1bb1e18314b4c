#pragma once
// check_gradients: a tape gradient against central finite differences, in float64. Every
// differentiable op's test uses it, and later layers' tests reuse it (after Keras's run_layer_test).
#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <string>

namespace keras::testing {

struct GradientCheckOptions {
  double epsilon = 1e-6;
  double rtol = 1e-5;
  double atol = 1e-6;
  uint64_t seed = 7;
};

/// Checks the gradient of fn with respect to every input (float64 tensors) at `inputs`.
/// A non-scalar output is contracted with fixed random weights, so every output element counts.
inline void check_gradients(const std::function<Tensor(const Tensors&)>& fn, const Tensors& inputs,
                            GradientCheckOptions options = {}) {
  for (const Tensor& x : inputs) REQUIRE_MESSAGE(x.dtype() == DType::float64, "check_gradients needs float64 inputs");
  const Tensor probe = fn(inputs);
  const Tensor weights = random::uniform(probe.shape(), {.minval = 0.5, .maxval = 1.5, .dtype = probe.dtype(),
                                                         .seed = options.seed});
  auto objective = [&](const Tensors& xs) { return ops::sum(ops::multiply(fn(xs), weights)); };

  Tensors analytic;
  {
    GradientTape tape;
    tape.watch(inputs);
    const Tensor y = objective(inputs);
    analytic = tape.gradient(y, inputs, {.unconnected_gradients = UnconnectedGradients::zero});
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<double> base = inputs[i].to_vector<double>();
    const std::vector<double> got = analytic[i].to_vector<double>();
    REQUIRE(got.size() == base.size());
    for (size_t j = 0; j < base.size(); ++j) {
      auto eval = [&](double delta) {
        std::vector<double> moved = base;
        moved[j] += delta;
        Tensors xs = inputs;
        xs[i] = Tensor::from_vector(moved, inputs[i].shape());
        return objective(xs).item<double>();
      };
      const double numeric = (eval(options.epsilon) - eval(-options.epsilon)) / (2 * options.epsilon);
      const double tol = options.atol + options.rtol * std::fabs(numeric);
      if (!(std::fabs(numeric - got[j]) <= tol)) {
        std::ostringstream msg;
        msg << "gradient of input " << i << " (shape " << inputs[i].shape().str() << ") at flat index " << j
            << ": tape " << got[j] << ", finite differences " << numeric;
        FAIL_CHECK(msg.str());
        return;
      }
    }
  }
}

/// A float64 tensor of `shape` with values in [lo, hi), reproducible from `seed`.
inline Tensor random_input(const Shape& shape, uint64_t seed, double lo = -1.0, double hi = 1.0) {
  return random::uniform(shape, {.minval = lo, .maxval = hi, .dtype = DType::float64, .seed = seed});
}

/// Element-wise closeness of two tensors (any dtypes), reporting the first difference.
inline void check_allclose(const Tensor& actual, const Tensor& expected, double rtol = 1e-6, double atol = 1e-6) {
  REQUIRE_MESSAGE(actual.shape() == expected.shape(),
                  "shape " << actual.shape().str() << " != expected " << expected.shape().str());
  const auto a = actual.to_vector<double>();
  const auto e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    const bool same_special = (std::isnan(a[i]) && std::isnan(e[i])) || (std::isinf(e[i]) && a[i] == e[i]);
    if (!same_special && !(std::fabs(a[i] - e[i]) <= atol + rtol * std::fabs(e[i]))) {
      FAIL_CHECK("element " << i << ": " << a[i] << " != expected " << e[i]);
      return;
    }
  }
}

}  // namespace keras::testing
