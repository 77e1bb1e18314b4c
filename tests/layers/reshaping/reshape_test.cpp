#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Reshape maps (2, 12) to (2, 3, 4)") {
  keras::testing::run_layer_test([] { return layers::Reshape({3, 4}); },
                                 {.input_shapes = {{2, 12}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("Reshape infers a -1 from the input's size") {
  keras::testing::run_layer_test([] { return layers::Reshape({-1, 2, 2}); },
                                 {.input_shapes = {{2, 12}}, .expected_output_shape = Shape{2, 3, 2, 2}});
  layers::Reshape reshape({-1, 2, 2});
  CHECK(reshape.compute_output_shape(Shape{None, 12}) == Shape{None, 3, 2, 2});
  CHECK(reshape.compute_output_shape(Shape{None, None}) == Shape{None, None, 2, 2});
  CHECK(layers::Reshape({3, 4})(Input({12})).shape() == Shape{None, 3, 4});
}

TEST_CASE("Reshape keeps the elements in row-major order") {
  const Tensor x = ops::reshape(ops::arange(12.0).astype(DType::float32), {1, 12});
  check_allclose(layers::Reshape({3, 4})(x), ops::reshape(x, {1, 3, 4}));
}

TEST_CASE("Reshape rejects two -1s and sizes that do not match, with Keras's messages") {
  CHECK_THROWS_WITH_AS(layers::Reshape({-1, -1}),
                       doctest::Contains("The `target_shape` argument must not contain more than one `-1` value. "
                                         "Received: target_shape=(-1, -1)"),
                       ValueError);
  CHECK_THROWS_AS(layers::Reshape({-2, 3}), ValueError);
  layers::Reshape five({5});
  CHECK_THROWS_WITH_AS(five(ops::ones({2, 12})),
                       doctest::Contains("The total size of the tensor must be unchanged. Received: "
                                         "input_shape=(12,), target_shape=(5,)"),
                       ValueError);
  layers::Reshape five_by({-1, 5});
  CHECK_THROWS_WITH_AS(five_by(ops::ones({2, 12})),
                       doctest::Contains("the input size cannot by divided by the specified dimensions in target_shape. "
                                         "Received: input_shape=(12,), target_shape=(-1, 5)"),
                       ValueError);
  CHECK_THROWS_AS(five(Input({12})), ValueError);
}

TEST_CASE("Reshape config holds target_shape") {
  layers::Reshape reshape({-1, 4});
  const Config c = reshape.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "target_shape"});
  CHECK(c["target_shape"].dump() == "[-1,4]");
  auto copy = std::dynamic_pointer_cast<layers::Reshape>(deserialize_layer(serialize_layer(reshape)));
  REQUIRE(copy);
  CHECK(copy->target_shape() == std::vector<int64_t>{-1, 4});
}

}  // TEST_SUITE
