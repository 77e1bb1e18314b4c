#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Dropout is the identity at inference, through the layer harness") {
  keras::testing::run_layer_test([] { return layers::Dropout(0.5, {.seed = 3}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("Dropout leaves inputs unchanged unless training") {
  layers::Dropout dropout(0.9);
  const Tensor x = random::uniform({4, 5}, {.seed = 1});
  check_allclose(dropout(x), x);
  check_allclose(dropout(x, false), x);
  check_allclose(layers::Dropout(0.0)(x, true), x);
}

TEST_CASE("Dropout in training drops about rate of the units and scales the rest by 1 / (1 - rate)") {
  layers::Dropout dropout(0.3, {.seed = 42});
  const Tensor x = ops::full({100, 200}, 2.0);
  const std::vector<float> y = dropout(x, true).to_vector<float>();
  int64_t dropped = 0;
  for (float v : y) {
    if (v == 0.f) {
      ++dropped;
    } else {
      CHECK(v == doctest::Approx(2.0 / 0.7).epsilon(1e-6));
    }
  }
  const double fraction = static_cast<double>(dropped) / static_cast<double>(y.size());
  CHECK(fraction == doctest::Approx(0.3).epsilon(0.05));  // 20000 draws: std of the fraction is 0.003
}

TEST_CASE("Dropout with a seed repeats the same sequence of masks, and successive masks differ") {
  const Tensor x = ops::ones({64, 32});
  layers::Dropout a(0.5, {.seed = 7});
  layers::Dropout b(0.5, {.seed = 7});
  const Tensor a1 = a(x, true), a2 = a(x, true);
  check_allclose(b(x, true), a1);
  check_allclose(b(x, true), a2);
  CHECK(ops::any(ops::not_equal(a1, a2)).item<bool>());
}

TEST_CASE("Copies of a Dropout layer share its seed generator") {
  const Tensor x = ops::ones({16, 16});
  layers::Dropout a(0.5, {.seed = 11});
  layers::Dropout copy = a;
  layers::Dropout reference(0.5, {.seed = 11});
  const Tensor r1 = reference(x, true), r2 = reference(x, true);
  check_allclose(a(x, true), r1);
  check_allclose(copy(x, true), r2);  // the copy continues the original's sequence
}

TEST_CASE("Dropout gradient is the mask scaled by 1 / (1 - rate)") {
  layers::Dropout dropout(0.5, {.seed = 5});
  const Tensor x = ops::ones({8, 8});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = dropout(x, true);
  const Tensor g = tape.gradient(ops::sum(y), x);
  check_allclose(g, y);  // with x = 1, y is exactly mask * 2
}

TEST_CASE("Dropout noise_shape shares the mask along size-1 axes, and None takes the input's size") {
  layers::Dropout dropout(0.5, {.noise_shape = Shape{None, 1, 6}, .seed = 9});
  const Tensor x = ops::ones({4, 5, 6});
  const std::vector<float> y = dropout(x, true).to_vector<float>();
  bool some_dropped = false;
  for (int64_t b = 0; b < 4; ++b) {
    for (int64_t t = 0; t < 5; ++t) {
      for (int64_t c = 0; c < 6; ++c) {
        const float v = y[static_cast<size_t>((b * 5 + t) * 6 + c)];
        CHECK(v == y[static_cast<size_t>(b * 30 + c)]);  // the same as at t = 0
        some_dropped = some_dropped || v == 0.f;
      }
    }
  }
  CHECK(some_dropped);
}

TEST_CASE("Dropout rejects a noise_shape that does not broadcast to the input") {
  layers::Dropout dropout(0.5, {.noise_shape = Shape{None, 3}});
  CHECK_THROWS_WITH_AS(dropout(ops::ones({2, 4}), true), doctest::Contains("does not broadcast to the input shape (2, 4)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(dropout(ops::ones({2, 3, 1}), true), doctest::Contains("must have the rank of the input"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Dropout(0.5, {.noise_shape = Shape{None, 0}}),
                       doctest::Contains("Received negative or zero value at index 1: 0"), ValueError);
}

TEST_CASE("Dropout rejects a rate outside [0, 1] with Keras's message") {
  CHECK_THROWS_WITH_AS(layers::Dropout(1.5), doctest::Contains("Invalid value received for argument `rate`. Expected a "
                                                               "float value between 0 and 1. Received: rate=1.5"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Dropout(-0.1), doctest::Contains("Received: rate=-0.1"), ValueError);
  CHECK_THROWS_AS(layers::Dropout(std::nan("")), ValueError);
}

TEST_CASE("Dropout with rate 1 drops everything in training, as Keras") {
  check_allclose(layers::Dropout(1.0)(ops::ones({2, 3}), true), ops::zeros({2, 3}));
}

TEST_CASE("Dropout config holds rate, seed and noise_shape, and round-trips") {
  layers::Dropout dropout(0.25, {.noise_shape = Shape{None, 1}, .seed = 3});
  const Config c = dropout.get_config();
  CHECK(keras::testing::keys_of(c) == std::vector<std::string>{"name", "trainable", "dtype", "rate", "seed", "noise_shape"});
  CHECK(c["rate"].get<double>() == 0.25);
  CHECK(c["seed"] == 3);
  CHECK(c["noise_shape"].dump() == "[null,1]");
  const Config plain = layers::Dropout(0.5).get_config();
  CHECK(plain["seed"].is_null());
  CHECK(plain["noise_shape"].is_null());
  std::shared_ptr<Layer> copy = deserialize_layer(serialize_layer(dropout));
  CHECK(copy->get_config().dump() == c.dump());
  // The same seed after a round trip: the same first mask.
  const Tensor x = ops::ones({6, 4});
  check_allclose((*copy)(x, true), layers::Dropout(0.25, {.noise_shape = Shape{None, 1}, .seed = 3})(x, true));
}

}  // TEST_SUITE
