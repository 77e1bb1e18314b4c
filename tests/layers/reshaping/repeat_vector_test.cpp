#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("RepeatVector maps (2, 3) to (2, 4, 3)") {
  keras::testing::run_layer_test([] { return layers::RepeatVector(4); },
                                 {.input_shapes = {{2, 3}}, .expected_output_shape = Shape{2, 4, 3}});
}

TEST_CASE("RepeatVector repeats each sample's vector n times") {
  const Tensor x({1.f, 2.f, 3.f, 4.f}, {2, 2});
  check_allclose(layers::RepeatVector(3)(x), Tensor({1.f, 2.f, 1.f, 2.f, 1.f, 2.f, 3.f, 4.f, 3.f, 4.f, 3.f, 4.f}, {2, 3, 2}));
  CHECK(layers::RepeatVector(3)(Input({32})).shape() == Shape{None, 3, 32});
}

TEST_CASE("RepeatVector requires rank-2 inputs and a non-negative n") {
  layers::RepeatVector repeat(2, {.name = "rep"});
  CHECK_THROWS_WITH_AS(repeat(ops::ones({2, 3, 4})),
                       doctest::Contains("Input 0 of layer \"rep\" is incompatible with the layer: expected ndim=2, "
                                         "found ndim=3"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::RepeatVector(-1), doctest::Contains("Received: n=-1"), ValueError);
}

TEST_CASE("RepeatVector config holds n") {
  layers::RepeatVector repeat(5);
  const Config c = repeat.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "n"});
  CHECK(c["n"] == 5);
  CHECK_THROWS_WITH_AS(deserialize_layer(Config{{"class_name", "RepeatVector"}, {"config", {{"n", "five"}}}}),
                       doctest::Contains("Expected an integer value for `n`"), ValueError);
}

}  // TEST_SUITE
