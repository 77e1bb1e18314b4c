#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::random_input;

TEST_SUITE("layers") {

TEST_CASE("SeparableConv2D maps (2, 6, 5, 3) to (2, 3, 3, 4) through depthwise and pointwise kernels") {
  keras::testing::run_layer_test(
      [] { return layers::SeparableConv2D(4, {3, 3}, {.strides = {2}, .padding = "same", .depth_multiplier = 2}); },
      {.input_shapes = {{2, 6, 5, 3}}, .expected_output_shape = Shape{2, 3, 3, 4},
       .expected_num_trainable_weights = 3});
}

TEST_CASE("SeparableConv1D passes the layer checks with a relu") {
  keras::testing::run_layer_test([] { return layers::SeparableConv1D(3, {2}, {.activation = "relu"}); },
                                 {.input_shapes = {{2, 6, 2}}, .expected_output_shape = Shape{2, 5, 3},
                                  .expected_num_trainable_weights = 3});
}

TEST_CASE("SeparableConv2D equals separable_conv plus bias and keeps Keras's weight names and config keys") {
  layers::SeparableConv2D conv(3, {3, 3}, {.depth_multiplier = 2, .bias_initializer = "ones"});
  const Tensor x = random_input({1, 5, 5, 2}, 9).astype(DType::float32);
  const Tensor y = conv(x);
  check_allclose(y, ops::separable_conv(x, conv.depthwise_kernel(), conv.pointwise_kernel()) + 1.0, 1e-5, 1e-5);
  const std::vector<Variable> w = conv.weights();
  REQUIRE(w.size() == 3);
  CHECK(w[0].name() == "depthwise_kernel");
  CHECK(w[0].shape() == Shape{3, 3, 2, 2});
  CHECK(w[1].name() == "pointwise_kernel");
  CHECK(w[1].shape() == Shape{1, 1, 4, 3});
  CHECK(w[2].name() == "bias");
  const Config c = conv.get_config();
  std::vector<std::string> keys;
  for (auto it = c.begin(); it != c.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{
                    "name", "trainable", "dtype", "depth_multiplier", "filters", "kernel_size", "strides", "padding",
                    "data_format", "dilation_rate", "activation", "use_bias", "depthwise_initializer",
                    "pointwise_initializer", "bias_initializer", "depthwise_regularizer", "pointwise_regularizer",
                    "bias_regularizer", "activity_regularizer", "depthwise_constraint", "pointwise_constraint",
                    "bias_constraint"});
}

}  // TEST_SUITE
