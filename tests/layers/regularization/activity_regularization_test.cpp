#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("ActivityRegularization passes a (2, 5) input through, with gradients") {
  keras::testing::run_layer_test([] { return layers::ActivityRegularization({.l1 = 0.1, .l2 = 0.2}); },
                                 {.input_shapes = {{2, 5}}, .expected_output_shape = Shape{2, 5}});
}

TEST_CASE("ActivityRegularization adds l1 * sum|x| + l2 * sum x^2 to losses on each call") {
  layers::ActivityRegularization reg({.l1 = 0.5, .l2 = 0.25});
  const Tensor x({1.f, -2.f, 3.f}, {1, 3});
  check_allclose(reg(x), x);
  Tensors losses = reg.losses();
  REQUIRE(losses.size() == 1);
  CHECK(losses[0].item<double>() == doctest::Approx(0.5 * 6 + 0.25 * 14));
  reg(Tensor({1.f}, {1, 1}));  // a new top-level call replaces the previous call's loss
  losses = reg.losses();
  REQUIRE(losses.size() == 1);
  CHECK(losses[0].item<double>() == doctest::Approx(0.75));
  layers::ActivityRegularization none;
  none(x);
  REQUIRE(none.losses().size() == 1);
  CHECK(none.losses()[0].item<double>() == 0.0);  // Keras's defaults l1 = l2 = 0
}

TEST_CASE("ActivityRegularization's loss reaches a Functional model's losses") {
  auto inputs = Input({3});
  auto outputs = layers::ActivityRegularization({.l2 = 1.0})(layers::Dense(2, {.kernel_initializer = "ones"})(inputs));
  Model model(inputs, outputs);
  model(ops::ones({1, 3}));
  double total = 0;
  for (const Tensor& l : model.losses()) total += l.item<double>();
  CHECK(total == doctest::Approx(18.0));  // outputs are (3, 3)
}

TEST_CASE("ActivityRegularization config holds l1 and l2, and rejects negative factors") {
  layers::ActivityRegularization reg({.l1 = 0.01});
  const Config c = reg.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "l1", "l2"});
  CHECK(c["l1"].get<double>() == 0.01);
  CHECK(c["l2"].get<double>() == 0.0);
  CHECK(deserialize_layer(serialize_layer(reg))->get_config().dump() == c.dump());
  CHECK_THROWS_WITH_AS(layers::ActivityRegularization({.l2 = -1.0}),
                       doctest::Contains("Invalid value for argument l2: expected a non-negative float. Received: l2=-1.0"),
                       ValueError);
}

}  // TEST_SUITE
