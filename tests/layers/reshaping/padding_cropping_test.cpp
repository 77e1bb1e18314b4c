#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::run_layer_test;

namespace {
Tensor iota(const Shape& shape) { return ops::reshape(ops::arange(static_cast<double>(shape.size())), shape); }
}  // namespace

TEST_SUITE("layers") {

TEST_CASE("ZeroPadding1D/2D/3D pass the layer harness") {
  run_layer_test([] { return layers::ZeroPadding1D(); }, {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 5, 4}});
  run_layer_test([] { return layers::ZeroPadding2D({{1, 0}, {2, 3}}); },
                 {.input_shapes = {{2, 3, 2, 2}}, .expected_output_shape = Shape{2, 4, 7, 2}});
  run_layer_test([] { return layers::ZeroPadding3D(1, {.data_format = "channels_first"}); },
                 {.input_shapes = {{1, 2, 2, 3, 1}}, .expected_output_shape = Shape{1, 2, 4, 5, 3}});
}

TEST_CASE("ZeroPadding1D pads the steps with zeros, as Keras's example") {
  const Tensor y = layers::ZeroPadding1D(2)(iota({2, 2, 3}));
  CHECK(y.shape() == Shape{2, 6, 3});
  const std::vector<float> v = y.to_vector<float>();
  CHECK(std::vector<float>(v.begin(), v.begin() + 18) ==
        std::vector<float>{0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0});
  check_allclose(layers::ZeroPadding1D({1, 0})(Tensor({5.f, 6.f}, {1, 2, 1})), Tensor({0.f, 5.f, 6.f}, {1, 3, 1}));
}

TEST_CASE("ZeroPadding2D takes an int, one int per axis, or (before, after) pairs, channels first too") {
  const Tensor x = iota({1, 1, 2, 2});  // channels_first: one channel of [[0, 1], [2, 3]]
  const Tensor y = layers::ZeroPadding2D({{0, 1}, {1, 0}}, {.data_format = "channels_first"})(x);
  check_allclose(y, Tensor({0.f, 0.f, 1.f, 0.f, 2.f, 3.f, 0.f, 0.f, 0.f}, {1, 1, 3, 3}));
  CHECK(layers::ZeroPadding2D(1)(ops::zeros({1, 2, 2, 3})).shape() == Shape{1, 4, 4, 3});
  CHECK(layers::ZeroPadding2D({1, 2})(ops::zeros({1, 2, 2, 3})).shape() == Shape{1, 4, 6, 3});
  CHECK(layers::ZeroPadding2D().compute_output_shape(Shape{None, None, 5, 2}) == Shape{None, None, 7, 2});
}

TEST_CASE("ZeroPadding configs hold Keras's keys and nested tuples, and read Keras's JSON") {
  const Config c = layers::ZeroPadding2D({1, 2}).get_config();
  CHECK(keras::testing::keys_of(c) == std::vector<std::string>{"name", "trainable", "dtype", "padding", "data_format"});
  CHECK(c["padding"].dump() == "[[1,1],[2,2]]");
  CHECK(layers::ZeroPadding1D(3).get_config()["padding"].dump() == "[3,3]");
  CHECK(layers::ZeroPadding3D().get_config()["padding"].dump() == "[[1,1],[1,1],[1,1]]");
  const Config keras_json = {{"class_name", "ZeroPadding2D"},
                             {"config", {{"name", "zp"}, {"padding", {{0, 1}, {2, 3}}}, {"data_format", "channels_last"}}}};
  CHECK(deserialize_layer(keras_json)->get_config()["padding"].dump() == "[[0,1],[2,3]]");
}

TEST_CASE("ZeroPadding and Cropping reject negative or malformed arguments") {
  CHECK_THROWS_WITH_AS(layers::ZeroPadding2D(-1), doctest::Contains("cannot be negative"), ValueError);
  CHECK_THROWS_WITH_AS(layers::ZeroPadding3D({1, 2}), doctest::Contains("padding"), ValueError);
  CHECK_THROWS_WITH_AS(layers::Cropping2D({{1, 1}, {1, 1}, {1, 1}}), doctest::Contains("cropping"), ValueError);
  CHECK_THROWS_WITH_AS(layers::Cropping1D(3)(ops::zeros({1, 6, 2})),
                       doctest::Contains("should be smaller than the corresponding spatial dimension"), ValueError);
}

TEST_CASE("Cropping1D/2D/3D pass the layer harness") {
  run_layer_test([] { return layers::Cropping1D(); }, {.input_shapes = {{2, 5, 3}}, .expected_output_shape = Shape{2, 3, 3}});
  run_layer_test([] { return layers::Cropping2D({{1, 0}, {0, 2}}); },
                 {.input_shapes = {{2, 4, 5, 2}}, .expected_output_shape = Shape{2, 3, 3, 2}});
  run_layer_test([] { return layers::Cropping3D(1, {.data_format = "channels_first"}); },
                 {.input_shapes = {{1, 2, 3, 4, 5}}, .expected_output_shape = Shape{1, 2, 1, 2, 3}});
}

TEST_CASE("Cropping keeps the middle block, as Keras's examples") {
  check_allclose(layers::Cropping1D(1)(iota({2, 3, 2})), Tensor({2.f, 3.f, 8.f, 9.f}, {2, 1, 2}));
  const Tensor x = iota({1, 3, 4, 1});  // rows [0..3], [4..7], [8..11]
  check_allclose(layers::Cropping2D({{1, 0}, {1, 2}})(x), Tensor({5.f, 9.f}, {1, 2, 1, 1}));
  check_allclose(layers::Cropping2D({{0, 1}, {0, 0}}, {.data_format = "channels_first"})(iota({1, 1, 2, 2})),
                 Tensor({0.f, 1.f}, {1, 1, 1, 2}));
}

TEST_CASE("Cropping configs hold Keras's keys") {
  CHECK(keras::testing::keys_of(layers::Cropping1D().get_config()) == std::vector<std::string>{"name", "trainable", "dtype", "cropping"});
  CHECK(layers::Cropping1D().get_config()["cropping"].dump() == "[1,1]");
  const Config c = layers::Cropping2D().get_config();
  CHECK(keras::testing::keys_of(c) == std::vector<std::string>{"name", "trainable", "dtype", "cropping", "data_format"});
  CHECK(c["cropping"].dump() == "[[0,0],[0,0]]");
  CHECK(layers::Cropping3D({1, 2, 3}).get_config()["cropping"].dump() == "[[1,1],[2,2],[3,3]]");
}

}  // TEST_SUITE
