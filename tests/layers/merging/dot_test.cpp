#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Dot passes the merge layer checks on two vectors per sample") {
  keras::testing::run_layer_test([] { return layers::Dot(1); },
                                 {.input_shapes = {{2, 3}, {2, 3}}, .expected_output_shape = Shape{2, 1}});
}

TEST_CASE("Dot passes the merge layer checks with an axis per input and normalization") {
  keras::testing::run_layer_test([] { return layers::Dot({1, 2}, {.normalize = true}); },
                                 {.input_shapes = {{2, 3, 5}, {2, 10, 3}}, .expected_output_shape = Shape{2, 5, 10}});
}

TEST_CASE("Dot passes the merge layer checks on rank-4 and rank-2 inputs") {
  keras::testing::run_layer_test([] { return layers::Dot({2, 1}); },
                                 {.input_shapes = {{2, 3, 4, 5}, {2, 4}}, .expected_output_shape = Shape{2, 3, 5}});
}

TEST_CASE("Dot takes the dot product of each sample's vectors") {
  Tensor x({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  Tensor y({1.f, 0.f, -1.f, 2.f, 2.f, 2.f}, {2, 3});
  check_allclose(layers::Dot(-1)(Tensors{x, y}).at(0), Tensor({-2.f, 30.f}, {2, 1}));
}

TEST_CASE("Dot contracts the given axes as Keras's documented example") {
  // x = arange(10).reshape(1, 5, 2), y = arange(10, 20).reshape(1, 2, 5), axes=(1, 2): x[0].T @ y[0].T.
  Tensor x = ops::reshape(ops::arange(10.0, DType::float32), {1, 5, 2});
  Tensor y = ops::reshape(ops::arange(10.0, 20.0, 1.0, DType::float32), {1, 2, 5});
  Tensor z = layers::Dot({1, 2})(Tensors{x, y}).at(0);
  check_allclose(z, Tensor({260.f, 360.f, 320.f, 445.f}, {1, 2, 2}));
}

TEST_CASE("Dot with normalize gives the cosine similarity") {
  Tensor x({3.f, 4.f, 1.f, 0.f}, {2, 2});
  Tensor y({4.f, 3.f, 0.f, 2.f}, {2, 2});
  check_allclose(layers::Dot(1, {.normalize = true})(Tensors{x, y}).at(0), Tensor({24.f / 25.f, 0.f}, {2, 1}));
}

TEST_CASE("Dot output shapes follow batch_dot") {
  layers::Dot dot({2, 1});
  CHECK(dot.compute_output_shape(std::vector<Shape>{{None, 3, 4}, {None, 4, 6}}).at(0) == Shape{None, 3, 6});
  CHECK(layers::Dot(-1)({Input({7}), Input({7})}).shape() == Shape{None, 1});
}

TEST_CASE("Dot rejects wrong input counts, mismatched axes and the batch axis") {
  CHECK_THROWS_WITH_AS(layers::Dot(1)(Tensors{ops::ones({2, 3}), ops::ones({2, 3}), ops::ones({2, 3})}),
                       doctest::Contains("A `Dot` layer should be called on a list of 2 inputs. Received: "
                                         "input_shape=[(2, 3), (2, 3), (2, 3)]"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Dot(1)(Tensors{ops::ones({2, 3}), ops::ones({2, 4})}),
                       doctest::Contains("Incompatible input shapes: axis values 3 (at axis 1) != 4 (at axis 1). Full "
                                         "input shapes: (2, 3), (2, 4)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Dot(0)(Tensors{ops::ones({2, 3}), ops::ones({2, 3})}),
                       doctest::Contains("Cannot perform batch_dot over axis 0"), ValueError);
  CHECK_THROWS_WITH_AS(layers::Dot(-1)(Tensors{ops::ones({3}), ops::ones({3})}),
                       doctest::Contains("Cannot do batch_dot on inputs with rank < 2"), ValueError);
  CHECK_THROWS_WITH_AS(layers::Dot(1)(Tensors{ops::ones({2, 3}), ops::ones({4, 3})}),
                       doctest::Contains("Cannot do batch_dot on inputs with different batch sizes"), ValueError);
  CHECK_THROWS_WITH_AS(layers::Dot(std::vector<int64_t>{1, 2, 3}),
                       doctest::Contains("Invalid format for argument `axes`: it should contain two elements. "
                                         "Received: axes=[1, 2, 3]"),
                       ValueError);
}

TEST_CASE("Dot's config writes axes as given") {
  CHECK(layers::Dot(-1).get_config()["axes"] == -1);
  const Config c = layers::Dot({1, 2}, {.normalize = true}).get_config();
  CHECK(c["axes"] == Config::array({1, 2}));
  CHECK(c["normalize"] == true);
  auto copy = layers::Dot::from_config(c);
  CHECK(static_cast<layers::Dot&>(*copy).axes() == std::vector<int64_t>{1, 2});
  CHECK(static_cast<layers::Dot&>(*copy).normalize());
}

}  // TEST_SUITE
