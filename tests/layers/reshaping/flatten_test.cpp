#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Flatten maps (2, 3, 4) to (2, 12)") {
  keras::testing::run_layer_test([] { return layers::Flatten(); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 12}});
}

TEST_CASE("Flatten channels_first maps (2, 3, 2, 2) to (2, 12)") {
  keras::testing::run_layer_test([] { return layers::Flatten({.data_format = "channels_first"}); },
                                 {.input_shapes = {{2, 3, 2, 2}}, .expected_output_shape = Shape{2, 12}});
}

TEST_CASE("Flatten keeps row-major order, and channels_first moves channels last first") {
  const Tensor x = ops::arange(6.0).astype(DType::float32);
  const Tensor x3 = ops::reshape(x, {1, 2, 3});
  check_allclose(layers::Flatten()(x3), ops::reshape(x, {1, 6}));
  // (1, C=2, 3) -> channels_last (1, 3, 2): [[0, 3], [1, 4], [2, 5]]
  check_allclose(layers::Flatten({.data_format = "channels_first"})(x3), Tensor({0.f, 3.f, 1.f, 4.f, 2.f, 5.f}, {1, 6}));
}

TEST_CASE("Flatten gives a (batch,) input a feature axis, and None stays None") {
  layers::Flatten flatten;
  CHECK(flatten(ops::ones({4})).shape() == Shape{4, 1});
  CHECK(flatten.compute_output_shape(Shape{None, 3, None}) == Shape{None, None});
  CHECK(flatten.compute_output_shape(Shape{None, 3, 5}) == Shape{None, 15});
  auto out = layers::Flatten()(Input({28, 28, 1}));
  CHECK(out.shape() == Shape{None, 784});
}

TEST_CASE("Flatten standardises data_format as Keras and rejects others") {
  CHECK(layers::Flatten().get_config()["data_format"] == "channels_last");
  CHECK(layers::Flatten({.data_format = "Channels_First"}).data_format() == "channels_first");
  CHECK_THROWS_WITH_AS(layers::Flatten({.data_format = "nchw"}),
                       doctest::Contains("The `data_format` argument must be one of {'channels_first', "
                                         "'channels_last'}. Received: data_format=nchw"),
                       ValueError);
  layers::Flatten flatten;
  CHECK_THROWS_WITH_AS(flatten(Tensor::scalar(1.f)), doctest::Contains("expected min_ndim=1, found ndim=0"), ValueError);
}

TEST_CASE("Flatten config holds data_format") {
  const Config c = layers::Flatten({.name = "f"}).get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "data_format"});
}

}  // TEST_SUITE
