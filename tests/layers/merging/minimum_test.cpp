#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Minimum passes the merge layer checks on two (2, 3) inputs") {
  keras::testing::run_layer_test([] { return layers::Minimum(); },
                                 {.input_shapes = {{2, 3}, {2, 3}}, .expected_output_shape = Shape{2, 3}});
}

TEST_CASE("Minimum passes the merge layer checks on three inputs of different ranks") {
  keras::testing::run_layer_test([] { return layers::Minimum(); },
                                 {.input_shapes = {{2, 3, 4}, {2, 4}, {2, 3, 1}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("Minimum merges three tensors elementwise") {
  Tensor a({1.f, -2.f, 3.f, 0.5f}, {2, 2});
  Tensor b({4.f, 5.f, -6.f, 0.25f}, {2, 2});
  Tensor c({-1.f, 2.f, 2.f, 8.f}, {2, 2});
  Tensor y = layers::Minimum()(Tensors{a, b, c}).at(0);
  check_allclose(y, ops::minimum(ops::minimum(a, b), c));
}

}  // TEST_SUITE
