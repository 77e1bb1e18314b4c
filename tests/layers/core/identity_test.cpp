#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Identity passes a (2, 3, 4) input through") {
  keras::testing::run_layer_test([] { return layers::Identity(); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("Identity returns the very same values, built at construction, with only the base config") {
  layers::Identity identity({.name = "id"});
  CHECK(identity.built());
  const Tensor x({1.f, -2.f, 3.f}, {1, 3});
  check_allclose(identity(x), x);
  CHECK(identity.compute_output_shape(Shape{None, 7}) == Shape{None, 7});
  const Config c = identity.get_config();
  CHECK(c.size() == 3);
  CHECK(c["name"] == "id");
  CHECK(c.contains("trainable"));
  CHECK(c.contains("dtype"));
}

}  // TEST_SUITE
