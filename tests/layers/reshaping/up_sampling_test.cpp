#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::run_layer_test;

TEST_SUITE("layers") {

TEST_CASE("UpSampling1D/2D/3D pass the layer harness") {
  run_layer_test([] { return layers::UpSampling1D(3); }, {.input_shapes = {{2, 3, 2}}, .expected_output_shape = Shape{2, 9, 2}});
  run_layer_test([] { return layers::UpSampling2D({2, 3}); },
                 {.input_shapes = {{2, 2, 3, 2}}, .expected_output_shape = Shape{2, 4, 9, 2}});
  run_layer_test([] { return layers::UpSampling2D({2}, {.data_format = "channels_first", .interpolation = "bilinear"}); },
                 {.input_shapes = {{1, 2, 3, 2}}, .expected_output_shape = Shape{1, 2, 6, 4}});
  run_layer_test([] { return layers::UpSampling3D(); },
                 {.input_shapes = {{1, 2, 1, 2, 2}}, .expected_output_shape = Shape{1, 4, 2, 4, 2}});
}

TEST_CASE("UpSampling repeats cells along the spatial axes") {
  check_allclose(layers::UpSampling1D()(Tensor({1.f, 2.f, 3.f, 4.f}, {1, 2, 2})),
                 Tensor({1.f, 2.f, 1.f, 2.f, 3.f, 4.f, 3.f, 4.f}, {1, 4, 2}));
  check_allclose(layers::UpSampling2D({1, 2})(Tensor({1.f, 2.f, 3.f, 4.f}, {1, 2, 2, 1})),
                 Tensor({1.f, 1.f, 2.f, 2.f, 3.f, 3.f, 4.f, 4.f}, {1, 2, 4, 1}));
  check_allclose(layers::UpSampling3D({1, 1, 2}, {.data_format = "channels_first"})(Tensor({1.f, 2.f}, {1, 1, 1, 1, 2})),
                 Tensor({1.f, 1.f, 2.f, 2.f}, {1, 1, 1, 1, 4}));
}

TEST_CASE("UpSampling2D bilinear matches TensorFlow's resize with half-pixel centres") {
  // tf.image.resize([[1, 2], [3, 4]] as (1, 2, 2, 1), (4, 4), "bilinear"): rows interpolate
  // 1 -> 3 at 0, 0.25, 0.75, 1 and columns likewise (the edges clamp).
  const Tensor x = Tensor({1.f, 2.f, 3.f, 4.f}, {1, 2, 2, 1});
  const Tensor y = layers::UpSampling2D({2, 2}, {.interpolation = "bilinear"})(x);
  check_allclose(y, Tensor({1.f, 1.25f, 1.75f, 2.f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3.f, 3.25f,
                            3.75f, 4.f},
                           {1, 4, 4, 1}));
  // Factor 3 along one axis: samples at (j + 0.5) / 3 - 0.5 = -1/3, 0, 1/3, 2/3, 1, 4/3.
  const Tensor z = layers::UpSampling2D({1, 3}, {.interpolation = "BILINEAR"})(Tensor({0.f, 3.f}, {1, 1, 2, 1}));
  check_allclose(z, Tensor({0.f, 0.f, 1.f, 2.f, 3.f, 3.f}, {1, 1, 6, 1}), 1e-6, 1e-6);
}

TEST_CASE("UpSampling configs hold Keras's keys; unsupported interpolations say so") {
  CHECK(keras::testing::keys_of(layers::UpSampling1D().get_config()) == std::vector<std::string>{"name", "trainable", "dtype", "size"});
  CHECK(layers::UpSampling1D().get_config()["size"] == 2);
  const Config c = layers::UpSampling2D({3}).get_config();
  CHECK(keras::testing::keys_of(c) == std::vector<std::string>{"name", "trainable", "dtype", "size", "data_format", "interpolation"});
  CHECK(c["size"].dump() == "[3,3]");
  CHECK(c["interpolation"] == "nearest");
  CHECK(keras::testing::keys_of(layers::UpSampling3D().get_config()) ==
        std::vector<std::string>{"name", "trainable", "dtype", "size", "data_format"});
  CHECK_THROWS_WITH_AS(layers::UpSampling2D({2}, {.interpolation = "bicubic"}), doctest::Contains("not implemented"),
                       NotImplementedError);
  CHECK_THROWS_WITH_AS(layers::UpSampling2D({2}, {.interpolation = "cubic"}), doctest::Contains("interpolation"), ValueError);
  CHECK_THROWS_WITH_AS(layers::UpSampling1D(0), doctest::Contains("size"), ValueError);
  CHECK_THROWS_WITH_AS(layers::UpSampling3D({2, 2}), doctest::Contains("size"), ValueError);
}

}  // TEST_SUITE
