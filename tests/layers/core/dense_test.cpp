#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Dense maps (2, 3) to (2, 4) with a kernel and a bias") {
  keras::testing::run_layer_test([] { return layers::Dense(4, {.activation = "tanh"}); },
                                 {.input_shapes = {{2, 3}}, .expected_output_shape = Shape{2, 4},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("Dense without bias applies to the last axis of a rank-3 input") {
  keras::testing::run_layer_test([] { return layers::Dense(5, {.use_bias = false}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 5},
                                  .expected_num_trainable_weights = 1});
}

TEST_CASE("Dense with relu (one fused kernel call) passes the layer test") {
  keras::testing::run_layer_test([] { return layers::Dense(4, {.activation = "relu"}); },
                                 {.input_shapes = {{3, 5}}, .expected_output_shape = Shape{3, 4},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("Dense applies a callable named relu as given, not the built-in relu") {
  layers::Dense dense(1, {.activation = Activation([](const Tensor& x) { return x * 2.0; }, "relu"),
                          .kernel_initializer = "ones", .bias_initializer = initializers::Constant({.value = -5.0})});
  check_allclose(dense(Tensor({1.f, 1.f}, {1, 2})), Tensor({-6.f}, {1, 1}));
  layers::Dense builtin(1, {.activation = "relu", .kernel_initializer = "ones",
                            .bias_initializer = initializers::Constant({.value = -5.0})});
  check_allclose(builtin(Tensor({1.f, 1.f}, {1, 2})), Tensor({0.f}, {1, 1}));
}

TEST_CASE("Dense computes inputs @ kernel + bias with Keras's weight layout") {
  layers::Dense dense(2, {.kernel_initializer = "ones", .bias_initializer = initializers::Constant({.value = 0.5})});
  Tensor y = dense(Tensor({1.f, 2.f, 3.f}, {1, 3}));
  check_allclose(y, Tensor({6.5f, 6.5f}, {1, 2}));
  CHECK(dense.kernel().shape() == Shape{3, 2});
  CHECK(dense.bias().shape() == Shape{2});
  CHECK(dense.count_params() == 8);
  CHECK(dense.name().starts_with("dense"));
}

TEST_CASE("Dense rejects non-positive units") {
  CHECK_THROWS_WITH_AS(layers::Dense(0), doctest::Contains("positive"), ValueError);
}

TEST_CASE("Dense rejects an input whose last axis differs from the one it was built for") {
  layers::Dense dense(4, {.name = "dense_check"});
  dense(ops::zeros({2, 3}));
  CHECK_THROWS_WITH_AS(dense(ops::zeros({2, 5})),
                       doctest::Contains("Input 0 of layer \"dense_check\" is incompatible with the layer: expected axis -1 "
                                         "of input shape to have value 3, but received input with shape (2, 5)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(dense(ops::zeros({3})), doctest::Contains("expected min_ndim=2, found ndim=1"), ValueError);
}

TEST_CASE("Copies of a layer share its weights") {
  layers::Dense a(3);
  layers::Dense b = a;
  a(ops::ones({1, 2}));
  CHECK(b.built());
  CHECK(b.kernel().value().id() == a.kernel().value().id());
  b.set_weights({ops::zeros({2, 3}), ops::ones({3})});
  check_allclose(a(ops::ones({1, 2})), ops::ones({1, 3}));
}

TEST_CASE("Dense kernel regularizer adds its penalty to losses") {
  layers::Dense dense(2, {.kernel_initializer = "ones", .kernel_regularizer = regularizers::L2({.l2 = 0.5})});
  dense(ops::ones({1, 3}));
  Tensors losses = dense.losses();
  REQUIRE(losses.size() == 1);
  CHECK(losses[0].item<float>() == doctest::Approx(3.0));  // 0.5 * 6 ones
}

TEST_CASE("Frozen layers expose their weights as non-trainable") {
  layers::Dense dense(2);
  dense(ops::ones({1, 3}));
  dense.set_trainable(false);
  CHECK(dense.trainable_weights().empty());
  CHECK(dense.non_trainable_weights().size() == 2);
  dense.set_trainable(true);
  CHECK(dense.trainable_weights().size() == 2);
}

}  // TEST_SUITE
