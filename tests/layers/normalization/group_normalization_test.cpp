#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("GroupNormalization passes the layer checks, channels last and first") {
  keras::testing::run_layer_test([] { return layers::GroupNormalization({.groups = 2}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4},
                                  .expected_num_trainable_weights = 2});
  keras::testing::run_layer_test([] { return layers::GroupNormalization({.groups = 3, .axis = 1, .center = false}); },
                                 {.input_shapes = {{2, 6, 2}}, .expected_output_shape = Shape{2, 6, 2},
                                  .expected_num_trainable_weights = 1});
}

TEST_CASE("GroupNormalization normalizes consecutive channels together, per sample") {
  layers::GroupNormalization gn({.groups = 2, .epsilon = 0.0});
  // One sample, two positions, four channels: group 0 = channels {0, 1}, group 1 = {2, 3}.
  const Tensor x({1.f, 3.f, 10.f, 10.f, 5.f, 7.f, 20.f, 40.f}, {1, 2, 4});
  const Tensor y = gn(x);
  // group 0 holds {1, 3, 5, 7}: mean 4, variance 5. group 1 holds {10, 10, 20, 40}: mean 20, variance 150.
  const float a = 1.f / std::sqrt(5.f), b = 1.f / std::sqrt(150.f);
  check_allclose(y, Tensor({-3 * a, -a, -10 * b, -10 * b, a, 3 * a, 0.f, 20 * b}, {1, 2, 4}), 1e-5, 1e-6);
}

TEST_CASE("GroupNormalization with groups=-1 is instance normalization and records the group count") {
  layers::GroupNormalization gn({.groups = -1});
  const Tensor x = random::uniform({2, 5, 3}, {.seed = 2});
  const Tensor y = gn(x);
  CHECK(gn.groups() == 3);
  CHECK(gn.get_config()["groups"] == 3);
  auto [m, v] = ops::moments(y, {1});
  check_allclose(m, ops::zeros({2, 3}), 0, 1e-5);
}

TEST_CASE("GroupNormalization rejects channels not divisible by groups, and too many groups") {
  CHECK_THROWS_WITH_AS(layers::GroupNormalization({.groups = 3})(ops::ones({2, 4})),
                       doctest::Contains("number of channels (4) must be a multiple of the number of groups (3)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::GroupNormalization()(ops::ones({2, 4})),
                       doctest::Contains("Number of groups (32) cannot be more than the number of channels (4)"),
                       ValueError);
  CHECK_THROWS_AS(layers::GroupNormalization({.groups = 0}), ValueError);
}

TEST_CASE("GroupNormalization's config has Keras's keys and round-trips") {
  layers::GroupNormalization gn({.groups = 4, .axis = 1, .epsilon = 1e-5});
  const Config c = gn.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "groups", "axis", "epsilon", "center", "scale",
                                         "beta_initializer", "gamma_initializer", "beta_regularizer",
                                         "gamma_regularizer", "beta_constraint", "gamma_constraint"});
  CHECK(layers::GroupNormalization::from_config(c)->get_config().dump() == c.dump());
}

}  // TEST_SUITE
