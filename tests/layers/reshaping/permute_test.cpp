#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Permute (2, 1) maps (2, 3, 4) to (2, 4, 3)") {
  keras::testing::run_layer_test([] { return layers::Permute({2, 1}); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 4, 3}});
}

TEST_CASE("Permute (3, 1, 2) moves the last axis first, after the batch") {
  keras::testing::run_layer_test([] { return layers::Permute({3, 1, 2}); },
                                 {.input_shapes = {{2, 3, 4, 5}}, .expected_output_shape = Shape{2, 5, 3, 4}});
  const Tensor x = random::uniform({2, 3, 4, 5}, {.seed = 3});
  check_allclose(layers::Permute({3, 1, 2})(x), ops::transpose(x, {0, 3, 1, 2}));
  CHECK(layers::Permute({2, 1})(Input({10, 64})).shape() == Shape{None, 64, 10});
}

TEST_CASE("Permute rejects dims that are not a permutation of 1..n, with Keras's message") {
  CHECK_THROWS_WITH_AS(layers::Permute({1, 3}),
                       doctest::Contains("Invalid permutation argument `dims` for Permute Layer. The set of indices in "
                                         "`dims` must be consecutive and start from 1. Received dims=(1, 3)"),
                       ValueError);
  CHECK_THROWS_AS(layers::Permute({0, 1}), ValueError);
  CHECK_THROWS_AS(layers::Permute({1, 1}), ValueError);
}

TEST_CASE("Permute requires inputs of rank len(dims) + 1") {
  layers::Permute permute({2, 1}, {.name = "perm"});
  CHECK_THROWS_WITH_AS(permute(ops::ones({2, 3})),
                       doctest::Contains("Input 0 of layer \"perm\" is incompatible with the layer: expected ndim=3, "
                                         "found ndim=2"),
                       ValueError);
}

TEST_CASE("Permute config holds dims") {
  layers::Permute permute({2, 1});
  const Config c = permute.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "dims"});
  CHECK(c["dims"].dump() == "[2,1]");
}

}  // TEST_SUITE
