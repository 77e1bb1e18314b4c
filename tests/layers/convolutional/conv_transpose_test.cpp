#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::random_input;

TEST_SUITE("layers") {

TEST_CASE("Conv2DTranspose maps (2, 3, 4, 2) to (2, 7, 9, 3) with strides 2 and valid padding") {
  keras::testing::run_layer_test([] { return layers::Conv2DTranspose(3, {3, 3}, {.strides = {2}}); },
                                 {.input_shapes = {{2, 3, 4, 2}}, .expected_output_shape = Shape{2, 7, 9, 3},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("Conv2DTranspose with same padding and output_padding passes the layer checks") {
  keras::testing::run_layer_test(
      [] {
        return layers::Conv2DTranspose(2, {3, 3}, {.strides = {2}, .padding = "same",
                                                   .output_padding = std::vector<int64_t>{1, 0},
                                                   .activation = "relu"});
      },
      {.input_shapes = {{1, 3, 3, 2}}, .expected_output_shape = Shape{1, 6, 5, 2},
       .expected_num_trainable_weights = 2});
}

TEST_CASE("Conv1DTranspose and Conv3DTranspose pass the layer checks") {
  keras::testing::run_layer_test([] { return layers::Conv1DTranspose(3, {2}, {.strides = {3}, .padding = "same"}); },
                                 {.input_shapes = {{2, 4, 2}}, .expected_output_shape = Shape{2, 12, 3},
                                  .expected_num_trainable_weights = 2});
  keras::testing::run_layer_test(
      [] { return layers::Conv3DTranspose(2, {2}, {.strides = {2}, .data_format = "channels_first"}); },
      {.input_shapes = {{1, 2, 2, 3, 2}}, .expected_output_shape = Shape{1, 2, 4, 6, 4},
       .expected_num_trainable_weights = 2});
}

TEST_CASE("Conv2DTranspose is the gradient of Conv2D with respect to its input") {
  // For y = conv(x, k): d<y, g>/dx = conv_transpose(g, k) with the kernel read as (kh, kw, out, in).
  const Tensor x = random_input({1, 6, 5, 2}, 1), k = random_input({3, 3, 2, 4}, 2), g = random_input({1, 3, 3, 4}, 3);
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::conv(x, k, {.strides = {2}, .padding = "same"});
  const Tensor dx = tape.gradient(ops::sum(y * g), x);
  layers::Conv2DTranspose t(2, {3, 3}, {.strides = {2}, .padding = "same", .output_padding = std::vector<int64_t>{1, 0},
                                        .use_bias = false, .dtype = "float64"});
  t.build_from_config({Shape{None, 3, 3, 4}});
  t.set_weights({k});  // conv kernel (kh, kw, in=2, out=4) is the transpose kernel (kh, kw, filters=2, C=4)
  check_allclose(t(g), dx, 1e-12, 1e-12);
}

TEST_CASE("Conv2DTranspose's config keeps Keras's keys and output_padding") {
  layers::Conv2DTranspose t(4, {3, 3}, {.strides = {2}, .output_padding = std::vector<int64_t>{1}});
  const Config c = t.get_config();
  std::vector<std::string> keys;
  for (auto it = c.begin(); it != c.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding",
                                         "output_padding", "data_format", "dilation_rate", "activation", "use_bias",
                                         "kernel_initializer", "bias_initializer", "kernel_regularizer",
                                         "bias_regularizer", "activity_regularizer", "kernel_constraint",
                                         "bias_constraint"});
  CHECK(c["output_padding"] == Config::array({1, 1}));
  CHECK_THROWS_WITH_AS(layers::Conv2DTranspose(4, {3, 3}, {.strides = {2}, .output_padding = std::vector<int64_t>{2}}),
                       doctest::Contains("`output_padding` must be < `strides`"), ValueError);
  layers::Conv2DTranspose built(4, {3, 3});
  built(ops::zeros({1, 2, 2, 5}));
  CHECK(built.kernel().shape() == Shape{3, 3, 4, 5});
}

}  // TEST_SUITE
