#pragma once
// Shared by the optimizer tests: two update steps on a small variable, values checked by hand.
#include <keras/keras.h>
#include <keras/optimizers/optimizers.h>

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace keras::testing {

/// The variable after each of two steps, starting from w = [1, -2] with gradients g1 = [0.5, -1]
/// then g2 = [0.25, 2].
struct TwoSteps {
  std::vector<float> first;
  std::vector<float> second;
};

inline TwoSteps two_steps(optimizers::Optimizer& optimizer) {
  Variable w(Tensor({1.f, -2.f}), {.name = "w"});
  TwoSteps out;
  optimizer.apply_gradients({Tensor({0.5f, -1.f})}, {w});
  out.first = w.value().to_vector<float>();
  optimizer.apply_gradients({Tensor({0.25f, 2.f})}, {w});
  out.second = w.value().to_vector<float>();
  return out;
}

inline void check_values(const std::vector<float>& actual, const std::vector<double>& expected, double tol = 1e-6) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    // float32 arithmetic: an absolute and relative tolerance of `tol`.
    CHECK_MESSAGE(std::abs(static_cast<double>(actual[i]) - expected[i]) <= tol * (1 + std::abs(expected[i])),
                  "element " << i << ": " << actual[i] << " vs " << expected[i]);
  }
}

inline void check_values(const Tensor& actual, const std::vector<double>& expected, double tol = 1e-6) {
  check_values(actual.astype(DType::float32).to_vector<float>(), expected, tol);
}

}  // namespace keras::testing
