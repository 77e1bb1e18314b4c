#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Rescaling passes the layer checks") {
  keras::testing::run_layer_test([] { return layers::Rescaling(0.5, {.offset = -1.0}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("Rescaling maps uint8 pixels to floats in [-1, 1]") {
  Tensor pixels = Tensor::from_vector(std::vector<uint8_t>{0, 51, 255}, Shape{1, 3});
  Tensor y = layers::Rescaling(1.0 / 127.5, {.offset = -1.0})(pixels);
  CHECK(y.dtype() == DType::float32);
  check_allclose(y, Tensor({-1.f, -0.6f, 1.f}, {1, 3}), 1e-6, 1e-6);
}

TEST_CASE("Rescaling computes in the layer's dtype") {
  Tensor y = layers::Rescaling(2.0, {.offset = 0.25, .dtype = "float64"})(Tensor({1.f, -3.f}, {2, 1}));
  CHECK(y.dtype() == DType::float64);
  check_allclose(y, Tensor({2.25, -5.75}, {2, 1}));
}

TEST_CASE("Rescaling's config holds scale and offset as Keras writes them") {
  const Config c = layers::Rescaling(1.0 / 255, {.name = "rescale"}).get_config();
  CHECK(c["name"] == "rescale");
  CHECK(c["scale"].get<double>() == doctest::Approx(1.0 / 255));
  CHECK(c["offset"].get<double>() == 0.0);
  Config keras_config = c;
  keras_config["scale"] = Config{{"class_name", "__numpy__"}, {"config", {{"value", {1.0, 2.0}}, {"dtype", "float64"}}}};
  CHECK_THROWS_AS(layers::Rescaling::from_config(keras_config), NotImplementedError);
}

}  // TEST_SUITE
