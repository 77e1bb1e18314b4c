#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::random_input;

TEST_SUITE("layers") {

TEST_CASE("Conv1D maps (2, 9, 3) to (2, 4, 5) with strides 2") {
  keras::testing::run_layer_test([] { return layers::Conv1D(5, {3}, {.strides = {2}}); },
                                 {.input_shapes = {{2, 9, 3}}, .expected_output_shape = Shape{2, 4, 5},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("Conv1D with causal padding keeps the length and sees only the past") {
  keras::testing::run_layer_test(
      [] { return layers::Conv1D(2, {3}, {.padding = "causal", .dilation_rate = {2}, .activation = "relu"}); },
      {.input_shapes = {{2, 7, 2}}, .expected_output_shape = Shape{2, 7, 2}, .expected_num_trainable_weights = 2});
  // Kernel [1, 10, 100] over [1 2 3 4] causally: y[t] = 100 x[t] + 10 x[t-1] + x[t-2].
  layers::Conv1D conv(1, {3}, {.padding = "causal", .use_bias = false});
  conv.build_from_config({Shape{None, 4, 1}});
  conv.set_weights({Tensor({1.f, 10.f, 100.f}, {3, 1, 1})});
  check_allclose(conv(Tensor({1.f, 2.f, 3.f, 4.f}, {1, 4, 1})), Tensor({100.f, 210.f, 321.f, 432.f}, {1, 4, 1}));
  CHECK(conv.get_config()["padding"] == "causal");
}

TEST_CASE("Conv1D in channels_first with groups passes the layer checks") {
  keras::testing::run_layer_test(
      [] { return layers::Conv1D(4, {2}, {.padding = "same", .data_format = "channels_first", .groups = 2}); },
      {.input_shapes = {{2, 4, 5}}, .expected_output_shape = Shape{2, 4, 5}, .expected_num_trainable_weights = 2});
}

}  // TEST_SUITE
