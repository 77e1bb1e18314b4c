#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Conv3D maps (1, 4, 5, 4, 2) to (1, 2, 3, 2, 3)") {
  keras::testing::run_layer_test([] { return layers::Conv3D(3, {2, 3, 2}, {.strides = {2, 1, 2}}); },
                                 {.input_shapes = {{1, 4, 5, 4, 2}}, .expected_output_shape = Shape{1, 2, 3, 2, 3},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("Conv3D sums its window: ones through a ones kernel") {
  layers::Conv3D conv(1, {2}, {.padding = "same", .kernel_initializer = "ones"});
  const Tensor y = conv(ops::ones({1, 3, 3, 3, 1}));
  CHECK(y.shape() == Shape{1, 3, 3, 3, 1});
  // "same" with an even kernel pads after: the last plane along each axis sees half the window.
  const auto v = y.to_vector<float>();
  CHECK(v.front() == doctest::Approx(8.0));
  CHECK(v.back() == doctest::Approx(1.0));
  CHECK_THROWS_WITH_AS(layers::Conv3D(1, {2}, {.padding = "causal"}), doctest::Contains("padding must be"), ValueError);
}

}  // TEST_SUITE
