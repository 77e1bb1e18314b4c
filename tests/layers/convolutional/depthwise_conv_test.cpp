#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::random_input;

TEST_SUITE("layers") {

TEST_CASE("DepthwiseConv2D maps (2, 6, 5, 3) to (2, 4, 3, 6) with depth_multiplier 2") {
  keras::testing::run_layer_test([] { return layers::DepthwiseConv2D({3, 3}, {.depth_multiplier = 2}); },
                                 {.input_shapes = {{2, 6, 5, 3}}, .expected_output_shape = Shape{2, 4, 3, 6},
                                  .expected_num_trainable_weights = 2});
  keras::testing::run_layer_test(
      [] { return layers::DepthwiseConv2D({2, 3}, {.strides = {2}, .padding = "same", .activation = "relu"}); },
      {.input_shapes = {{1, 5, 5, 2}}, .expected_output_shape = Shape{1, 3, 3, 2}, .expected_num_trainable_weights = 2});
}

TEST_CASE("DepthwiseConv1D passes the layer checks in channels_first") {
  keras::testing::run_layer_test(
      [] { return layers::DepthwiseConv1D({3}, {.depth_multiplier = 2, .data_format = "channels_first"}); },
      {.input_shapes = {{2, 2, 7}}, .expected_output_shape = Shape{2, 4, 5}, .expected_num_trainable_weights = 2});
}

TEST_CASE("DepthwiseConv2D keeps channels apart and names its weights as Keras") {
  layers::DepthwiseConv2D conv({2, 2}, {.use_bias = false});
  conv.build_from_config({Shape{None, 2, 2, 2}});
  CHECK(conv.kernel().name() == "kernel");
  // Kernel (kh, kw, C, 1): channel 0 weighs its whole window by 1, channel 1 only its bottom-right by -1.
  conv.set_weights({Tensor({1.f, 0.f, 1.f, 0.f, 1.f, 0.f, 1.f, -1.f}, {2, 2, 2, 1})});
  const Tensor x({1.f, 10.f, 2.f, 20.f, 3.f, 30.f, 4.f, 40.f}, {1, 2, 2, 2});
  check_allclose(conv(x), Tensor({10.f, -40.f}, {1, 1, 1, 2}));
  const Config c = conv.get_config();
  std::vector<std::string> keys;
  for (auto it = c.begin(); it != c.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "depth_multiplier", "kernel_size", "strides",
                                         "padding", "data_format", "dilation_rate", "activation", "use_bias",
                                         "depthwise_initializer", "bias_initializer", "depthwise_regularizer",
                                         "bias_regularizer", "activity_regularizer", "depthwise_constraint",
                                         "bias_constraint"});
  CHECK_THROWS_WITH_AS(layers::DepthwiseConv2D({3, 3}, {.depth_multiplier = 0}),
                       doctest::Contains("Received depth_multiplier=0"), ValueError);
}

}  // TEST_SUITE
