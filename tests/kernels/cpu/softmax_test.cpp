#include <keras/keras.h>
#include <keras/kernels/softmax.h>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::random_input;

TEST_SUITE("core") {

TEST_CASE("softmax of float32 on every axis agrees with the float64 loop") {
  // float32 takes oneDNN where it has a fast implementation (the last axis) and the loop elsewhere.
  for (const Shape& shape : {Shape{4, 37}, Shape{3, 5, 7}, Shape{2, 3, 4, 20}}) {
    const Tensor x64 = random_input(shape, 1, -20.0, 20.0);
    const Tensor x = x64.astype(DType::float32);
    for (int64_t axis = 0; axis < shape.rank(); ++axis) {
      for (bool log : {false, true}) {
        CAPTURE(shape.str());
        CAPTURE(axis);
        CAPTURE(log);
        const Tensor y = kernels::softmax(x, axis, log);
        CHECK(y.dtype() == DType::float32);
        // oneDNN's log_softmax carries an absolute error of a few 1e-6 (kernels/cpu/softmax.cpp).
        check_allclose(y, kernels::softmax(x64, axis, log), 1e-5, log ? 2e-5 : 1e-6);
      }
    }
  }
}

TEST_CASE("softmax rows sum to one and log_softmax is the log of softmax") {
  const Tensor x = random_input({64, 100}, 2, -5.0, 5.0).astype(DType::float32);
  const Tensor p = kernels::softmax(x, 1, false);
  check_allclose(ops::sum(p, 1), ops::ones({64}), 1e-5, 1e-6);
  check_allclose(kernels::softmax(x, 1, true), ops::log(p), 1e-5, 1e-5);
}

TEST_CASE("softmax is stable for large inputs") {
  const Tensor x({1000.f, 1000.f, -1000.f, 0.f, 0.f, 0.f}, {2, 3});
  check_allclose(kernels::softmax(x, 1, false), Tensor({0.5f, 0.5f, 0.f, 1.f / 3, 1.f / 3, 1.f / 3}, {2, 3}));
  const float log_half = static_cast<float>(std::log(0.5));
  const auto ls = kernels::softmax(x, 1, true).to_vector<float>();
  CHECK(ls[0] == doctest::Approx(log_half));
  CHECK(ls[2] == doctest::Approx(-2000.0 + log_half));
}

TEST_CASE("softmax of a row holding NaN is NaN on both paths") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> values(2 * 40, 1.f);
  values[5] = nan;
  const Tensor x = Tensor::from_vector(values, {2, 40});
  for (bool log : {false, true}) {
    const auto y = kernels::softmax(x, 1, log).to_vector<float>();
    CHECK(std::isnan(y[0]));
    CHECK(std::isnan(y[39]));
    CHECK(y[40] == doctest::Approx(log ? -std::log(40.0) : 1.0 / 40));
  }
}

}  // TEST_SUITE
