#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::run_layer_test;

namespace {

// Every channel of every sample is either all zeros or all `kept` across the spatial positions.
void check_whole_channels(const Tensor& y, bool channels_last, float kept, int64_t& dropped, int64_t& total) {
  const std::vector<float> v = y.to_vector<float>();
  const int64_t n = y.shape()[0], c = channels_last ? y.shape()[y.rank() - 1] : y.shape()[1];
  const int64_t spatial = y.size() / (n * c);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t k = 0; k < c; ++k) {
      auto at = [&](int64_t s) {
        return v[static_cast<size_t>(channels_last ? (b * spatial + s) * c + k : (b * c + k) * spatial + s)];
      };
      const float first = at(0);
      CHECK((first == 0.f || first == doctest::Approx(kept)));
      for (int64_t s = 1; s < spatial; ++s) CHECK(at(s) == first);
      dropped += first == 0.f;
      ++total;
    }
  }
}
}  // namespace

TEST_SUITE("layers") {

TEST_CASE("SpatialDropout1D/2D/3D are the identity at inference, through the layer harness") {
  run_layer_test([] { return layers::SpatialDropout1D(0.5, {.seed = 1}); },
                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
  run_layer_test([] { return layers::SpatialDropout2D(0.5, {.data_format = "channels_first", .seed = 2}); },
                 {.input_shapes = {{2, 3, 2, 2}}, .expected_output_shape = Shape{2, 3, 2, 2}});
  run_layer_test([] { return layers::SpatialDropout3D(0.3); },
                 {.input_shapes = {{1, 2, 2, 2, 3}}, .expected_output_shape = Shape{1, 2, 2, 2, 3}});
  const Tensor x = random::uniform({2, 4, 4, 3}, {.seed = 3});
  check_allclose(layers::SpatialDropout2D(0.9)(x), x);
}

TEST_CASE("SpatialDropout drops whole channels in training and scales the rest by 1 / (1 - rate)") {
  int64_t dropped = 0, total = 0;
  check_whole_channels(layers::SpatialDropout1D(0.4, {.seed = 5})(ops::ones({50, 6, 20}), true), true, 1 / 0.6f, dropped,
                       total);
  check_whole_channels(layers::SpatialDropout2D(0.4, {.data_format = "channels_first", .seed = 6})(ops::ones({50, 20, 3, 3}), true),
                       false, 1 / 0.6f, dropped, total);
  check_whole_channels(layers::SpatialDropout3D(0.4, {.seed = 7})(ops::ones({25, 2, 2, 2, 40}), true), true, 1 / 0.6f,
                       dropped, total);
  // 3000 channel draws: the dropped fraction's standard deviation is about 0.009.
  CHECK(static_cast<double>(dropped) / static_cast<double>(total) == doctest::Approx(0.4).epsilon(0.1));
}

TEST_CASE("SpatialDropout with a seed repeats its masks; its gradient is the mask") {
  const Tensor x = ops::ones({4, 3, 3, 8});
  layers::SpatialDropout2D a(0.5, {.seed = 9}), b(0.5, {.seed = 9});
  const Tensor a1 = a(x, true);
  check_allclose(b(x, true), a1);
  CHECK(ops::any(ops::not_equal(a(x, true), a1)).item<bool>());
  GradientTape tape;
  tape.watch(x);
  const Tensor y = layers::SpatialDropout2D(0.5, {.seed = 4})(x, true);
  check_allclose(tape.gradient(ops::sum(y), x), y);  // with x = 1, y is exactly mask * 2
}

TEST_CASE("SpatialDropout configs are Keras's: rate, seed, name, dtype, then data_format") {
  const Config c1 = layers::SpatialDropout1D(0.25, {.seed = 3}).get_config();
  CHECK(keras::testing::keys_of(c1) == std::vector<std::string>{"rate", "seed", "name", "dtype"});
  CHECK(c1["seed"] == 3);
  CHECK(c1["name"].get<std::string>().rfind("spatial_dropout1d", 0) == 0);  // "spatial_dropout1d" or "spatial_dropout1d_N"
  const Config c2 = layers::SpatialDropout2D(0.5).get_config();
  CHECK(keras::testing::keys_of(c2) == std::vector<std::string>{"rate", "seed", "name", "dtype", "data_format"});
  CHECK(c2["seed"].is_null());
  CHECK(c2["data_format"] == "channels_last");
  std::shared_ptr<Layer> copy = deserialize_layer(serialize_layer(layers::SpatialDropout3D(0.2, {.data_format = "channels_first"})));
  CHECK(copy->get_config()["data_format"] == "channels_first");
  CHECK(copy->get_config()["rate"].get<double>() == 0.2);
}

TEST_CASE("SpatialDropout rejects a bad rate and a bad rank") {
  CHECK_THROWS_WITH_AS(layers::SpatialDropout1D(1.5), doctest::Contains("Received: rate=1.5"), ValueError);
  CHECK_THROWS_WITH_AS(layers::SpatialDropout2D(0.5)(ops::ones({2, 3, 4}), true), doctest::Contains("expected ndim=4"),
                       ValueError);
}

}  // TEST_SUITE
