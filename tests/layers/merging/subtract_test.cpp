#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Subtract passes the merge layer checks on two (2, 3) inputs") {
  keras::testing::run_layer_test([] { return layers::Subtract(); },
                                 {.input_shapes = {{2, 3}, {2, 3}}, .expected_output_shape = Shape{2, 3}});
}

TEST_CASE("Subtract computes the first input minus the second, broadcasting after the batch axis") {
  Tensor a({5.f, 7.f, 9.f, 1.f, 2.f, 3.f}, {2, 3});
  Tensor b({1.f, 2.f}, {2, 1});
  check_allclose(layers::Subtract()(Tensors{a, b}).at(0), Tensor({4.f, 6.f, 8.f, -1.f, 0.f, 1.f}, {2, 3}));
  check_allclose(layers::Subtract()(Tensors{b, a}).at(0), Tensor({-4.f, -6.f, -8.f, 1.f, 0.f, -1.f}, {2, 3}));
}

TEST_CASE("Subtract takes exactly 2 inputs") {
  CHECK_THROWS_WITH_AS(layers::Subtract()(Tensors{ops::ones({2, 3}), ops::ones({2, 3}), ops::ones({2, 3})}),
                       doctest::Contains("A `Subtract` layer should be called on exactly 2 inputs. Received: "
                                         "input_shape=[(2, 3), (2, 3), (2, 3)]"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Subtract()(std::vector<KerasTensor>{Input({3}), Input({3}), Input({3})}),
                       doctest::Contains("exactly 2 inputs"), ValueError);
  CHECK_THROWS_WITH_AS(layers::Subtract()(ops::ones({2, 3})), doctest::Contains("at least 2 inputs"), ValueError);
}

}  // TEST_SUITE
