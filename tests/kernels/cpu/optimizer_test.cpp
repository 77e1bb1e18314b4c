#include <keras/keras.h>
#include <keras/kernels/cast.h>
#include <keras/kernels/optimizer.h>

#include <doctest/doctest.h>

#include <cstring>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::random_input;

namespace {

// Bit-for-bit equality: the fused kernels promise the op-by-op formula's exact result.
void check_identical(const Tensor& actual, const Tensor& expected) {
  REQUIRE(actual.dtype() == expected.dtype());
  REQUIRE(actual.shape() == expected.shape());
  CHECK(std::memcmp(actual.data(), expected.data(), actual.nbytes()) == 0);
}

// A fresh copy the kernel may write to (the inputs stay as they were, for the reference).
Tensor copy(const Tensor& t) { return kernels::cast(t, t.dtype()); }

Tensor scalar(double value, const Tensor& like) { return Tensor::scalar(value, like.dtype()); }

}  // namespace

TEST_SUITE("core") {

TEST_CASE("adam_update equals Adam's op-by-op formula to the bit") {
  // 10000 elements take oneDNN's binary and eltwise kernels in the op path; 7 take the loops.
  for (int64_t n : {int64_t{7}, int64_t{10000}}) {
    for (DType dtype : {DType::float32, DType::float64}) {
      for (bool amsgrad : {false, true}) {
        CAPTURE(n);
        CAPTURE(dtype_name(dtype));
        CAPTURE(amsgrad);
        const Tensor w = random_input({n}, 1).astype(dtype), g = random_input({n}, 2).astype(dtype);
        const Tensor m = random_input({n}, 3, -0.1, 0.1).astype(dtype);
        const Tensor v = random_input({n}, 4, 0.0, 0.01).astype(dtype);
        const Tensor v_hat = random_input({n}, 5, 0.0, 0.01).astype(dtype);
        const double lr = 0.001, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7, step = 3;

        const Tensor t = scalar(step, g);
        const Tensor alpha = scalar(lr, g) * ops::sqrt(1.0 - ops::power(scalar(beta_2, g), t)) /
                             (1.0 - ops::power(scalar(beta_1, g), t));
        const Tensor m_ref = m + (g - m) * (1 - beta_1);
        const Tensor v_ref = v + (ops::square(g) - v) * (1 - beta_2);
        const Tensor v_hat_ref = amsgrad ? ops::maximum(v_hat, v_ref) : Tensor();
        const Tensor w_ref = w - m_ref * alpha / (ops::sqrt(amsgrad ? v_hat_ref : v_ref) + epsilon);

        const Tensor w1 = copy(w), m1 = copy(m), v1 = copy(v), v_hat1 = amsgrad ? copy(v_hat) : Tensor();
        kernels::adam_update({.variable = w1, .m = m1, .v = v1, .v_hat = v_hat1, .gradient = g, .learning_rate = lr,
                              .beta_1 = beta_1, .beta_2 = beta_2, .epsilon = epsilon, .step = step});
        check_identical(w1, w_ref);
        check_identical(m1, m_ref);
        check_identical(v1, v_ref);
        if (amsgrad) check_identical(v_hat1, v_hat_ref);
      }
    }
  }
}

TEST_CASE("sgd_update equals SGD's op-by-op formula to the bit, with and without (nesterov) momentum") {
  for (int64_t n : {int64_t{7}, int64_t{10000}}) {
    for (DType dtype : {DType::float32, DType::float64}) {
      CAPTURE(n);
      CAPTURE(dtype_name(dtype));
      const Tensor w = random_input({n}, 1).astype(dtype), g = random_input({n}, 2).astype(dtype);
      const Tensor m = random_input({n}, 3, -0.1, 0.1).astype(dtype);
      const Tensor lr = scalar(0.01, g), momentum = scalar(0.9, g);

      Tensor w1 = copy(w);
      kernels::sgd_update({.variable = w1, .m = Tensor(), .gradient = g, .learning_rate = 0.01, .momentum = 0,
                           .nesterov = false});
      check_identical(w1, w - g * lr);

      const Tensor m_ref = m * momentum - g * lr;
      for (bool nesterov : {false, true}) {
        CAPTURE(nesterov);
        w1 = copy(w);
        const Tensor m1 = copy(m);
        kernels::sgd_update({.variable = w1, .m = m1, .gradient = g, .learning_rate = 0.01, .momentum = 0.9,
                             .nesterov = nesterov});
        check_identical(m1, m_ref);
        check_identical(w1, nesterov ? w + (m_ref * momentum - g * lr) : w + m_ref);
      }
    }
  }
}

TEST_CASE("rmsprop_update equals RMSprop's op-by-op formula to the bit, centered or not, with or without momentum") {
  for (int64_t n : {int64_t{7}, int64_t{10000}}) {
    for (DType dtype : {DType::float32, DType::float64}) {
      for (bool centered : {false, true}) {
        for (bool with_momentum : {false, true}) {
          CAPTURE(n);
          CAPTURE(dtype_name(dtype));
          CAPTURE(centered);
          CAPTURE(with_momentum);
          const Tensor w = random_input({n}, 1).astype(dtype), g = random_input({n}, 2).astype(dtype);
          const Tensor velocity = random_input({n}, 3, 0.01, 0.1).astype(dtype);
          const Tensor momentum = random_input({n}, 4, -0.1, 0.1).astype(dtype);
          const Tensor average = random_input({n}, 5, -0.01, 0.01).astype(dtype);
          const double lr = 0.001, rho = 0.9, mu = with_momentum ? 0.5 : 0.0, epsilon = 1e-7;

          const Tensor velocity_ref = rho * velocity + (1 - rho) * ops::square(g);
          const Tensor average_ref = centered ? rho * average + (1 - rho) * g : Tensor();
          const Tensor denominator =
              centered ? velocity_ref - ops::square(average_ref) + epsilon : velocity_ref + epsilon;
          const Tensor increment = scalar(lr, g) * g / ops::sqrt(denominator);
          const Tensor momentum_ref = with_momentum ? mu * momentum + increment : Tensor();
          const Tensor w_ref = w - (with_momentum ? momentum_ref : increment);

          const Tensor w1 = copy(w), velocity1 = copy(velocity);
          const Tensor momentum1 = with_momentum ? copy(momentum) : Tensor();
          const Tensor average1 = centered ? copy(average) : Tensor();
          kernels::rmsprop_update({.variable = w1, .velocity = velocity1, .momentum_slot = momentum1,
                                   .average_gradient = average1, .gradient = g, .learning_rate = lr, .rho = rho,
                                   .momentum = mu, .epsilon = epsilon});
          check_identical(w1, w_ref);
          check_identical(velocity1, velocity_ref);
          if (with_momentum) check_identical(momentum1, momentum_ref);
          if (centered) check_identical(average1, average_ref);
        }
      }
    }
  }
}

TEST_CASE("weight_decay_update equals the op-by-op decay to the bit") {
  for (int64_t n : {int64_t{7}, int64_t{10000}}) {
    for (DType dtype : {DType::float32, DType::float64}) {
      CAPTURE(n);
      CAPTURE(dtype_name(dtype));
      const Tensor w = random_input({n}, 1).astype(dtype);
      const Tensor w1 = copy(w);
      kernels::weight_decay_update(w1, 0.004, 0.001);
      check_identical(w1, w - w * scalar(0.004, w) * scalar(0.001, w));
    }
  }
}

TEST_CASE("fused optimizer updates reject mismatched operands and integer variables") {
  const Tensor w = ops::zeros({3}), m = ops::zeros({3}), v = ops::zeros({3});
  CHECK_THROWS_WITH_AS(kernels::adam_update({.variable = w, .m = m, .v = v, .v_hat = Tensor(), .gradient = ops::zeros({4}),
                                             .learning_rate = 0.1, .beta_1 = 0.9, .beta_2 = 0.999, .epsilon = 1e-7,
                                             .step = 1}),
                       doctest::Contains("adam_update: the gradient has dtype float32 and shape (4,)"), ValueError);
  const Tensor wi = ops::zeros({3}, DType::int32);
  CHECK_THROWS_WITH_AS(kernels::sgd_update({.variable = wi, .m = Tensor(), .gradient = ops::zeros({3}, DType::int32),
                                            .learning_rate = 0.1, .momentum = 0, .nesterov = false}),
                       doctest::Contains("expected float32 or float64"), ValueError);
  CHECK(kernels::fused_update_supported(DType::float32, Device::cpu()));
  CHECK_FALSE(kernels::fused_update_supported(DType::float16, Device::cpu()));
}

}  // TEST_SUITE
