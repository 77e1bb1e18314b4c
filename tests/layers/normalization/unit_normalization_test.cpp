#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("UnitNormalization passes the layer checks on the last axis") {
  keras::testing::run_layer_test([] { return layers::UnitNormalization(); },
                                 {.input_shapes = {{2, 3}}, .expected_output_shape = Shape{2, 3}});
}

TEST_CASE("UnitNormalization passes the layer checks over two axes") {
  keras::testing::run_layer_test([] { return layers::UnitNormalization({.axis = {1, 2}}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("UnitNormalization scales each sample to unit L2 norm") {
  Tensor x({3.f, 4.f, 0.f, -5.f, 12.f, 0.f}, {2, 3});
  check_allclose(layers::UnitNormalization()(x), Tensor({0.6f, 0.8f, 0.f, -5.f / 13, 12.f / 13, 0.f}, {2, 3}));
  // Keras's example: each row of arange(6).reshape(2, 3) has squared norm 1.
  Tensor y = layers::UnitNormalization()(ops::reshape(ops::arange(6.0), {2, 3}));
  check_allclose(ops::sum(ops::square(y), 1), Tensor({1.f, 1.f}));
}

TEST_CASE("UnitNormalization over axes {1, 2} normalizes whole matrices") {
  Tensor x({1.f, 2.f, 2.f, 4.f}, {1, 2, 2});
  check_allclose(layers::UnitNormalization({.axis = {1, 2}})(x), Tensor({0.2f, 0.4f, 0.4f, 0.8f}, {1, 2, 2}));
}

TEST_CASE("UnitNormalization leaves a zero vector at zero") {
  Tensor y = layers::UnitNormalization()(ops::zeros({1, 4}));
  check_allclose(y, ops::zeros({1, 4}));
}

TEST_CASE("UnitNormalization's config writes the axis as given") {
  CHECK(layers::UnitNormalization().get_config()["axis"] == -1);
  const Config c = layers::UnitNormalization({.axis = {1, 2}}).get_config();
  CHECK(c["axis"] == Config::array({1, 2}));
  auto copy = layers::UnitNormalization::from_config(c);
  CHECK(copy->get_config()["axis"] == Config::array({1, 2}));
  CHECK_THROWS_AS(layers::UnitNormalization({.axis = std::nullopt}), ValueError);
}

}  // TEST_SUITE
