#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Concatenate passes the merge layer checks along the last axis") {
  keras::testing::run_layer_test([] { return layers::Concatenate(); },
                                 {.input_shapes = {{2, 3}, {2, 4}}, .expected_output_shape = Shape{2, 7}});
}

TEST_CASE("Concatenate passes the merge layer checks along axis 1 of three inputs") {
  keras::testing::run_layer_test([] { return layers::Concatenate({.axis = 1}); },
                                 {.input_shapes = {{2, 2, 5}, {2, 1, 5}, {2, 3, 5}}, .expected_output_shape = Shape{2, 6, 5}});
}

TEST_CASE("Concatenate joins Keras's documented example along axis 1") {
  Tensor x = ops::reshape(ops::arange(20.0, DType::float32), {2, 2, 5});
  Tensor y = ops::reshape(ops::arange(20.0, 30.0, 1.0, DType::float32), {2, 1, 5});
  Tensor z = layers::Concatenate({.axis = 1})(Tensors{x, y}).at(0);
  CHECK(z.shape() == Shape{2, 3, 5});
  const std::vector<float> v = z.to_vector<float>();
  CHECK(v[10] == 20.f);  // sample 0, row 2 is y's first row
  CHECK(v[15] == 10.f);  // sample 1, row 0 is x's second sample
  CHECK(v[29] == 29.f);
}

TEST_CASE("Concatenate infers None along the axis when any input has it") {
  layers::Concatenate concat;
  CHECK(concat.compute_output_shape(std::vector<Shape>{{None, 3}, {None, None}}).at(0) == Shape{None, None});
  CHECK(layers::Concatenate({.axis = 1})({Input({2, 5}), Input({4, 5})}).shape() == Shape{None, 6, 5});
}

TEST_CASE("Concatenate rejects inputs that differ off the concatenation axis") {
  CHECK_THROWS_WITH_AS(layers::Concatenate()(Tensors{ops::ones({2, 3, 4}), ops::ones({2, 2, 4})}),
                       doctest::Contains("A `Concatenate` layer requires inputs with matching shapes except for the "
                                         "concatenation axis. Received: input_shape=[(2, 3, 4), (2, 2, 4)]"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Concatenate()(Tensors{ops::ones({2, 3}), ops::ones({2, 3, 1})}),
                       doctest::Contains("requires inputs with matching shapes"), ValueError);
  CHECK_THROWS_WITH_AS(layers::Concatenate()(ops::ones({2, 3})),
                       doctest::Contains("A `Concatenate` layer should be called on a list of at least 2 inputs"),
                       ValueError);
  CHECK_THROWS_AS(layers::Concatenate({.axis = 3})(Tensors{ops::ones({2, 3}), ops::ones({2, 3})}), ValueError);
}

TEST_CASE("Concatenate's config holds its axis") {
  layers::Concatenate concat({.axis = 1, .name = "joined"});
  const Config c = concat.get_config();
  CHECK(c["name"] == "joined");
  CHECK(c["axis"] == 1);
  auto copy = layers::Concatenate::from_config(c);
  CHECK(static_cast<layers::Concatenate&>(*copy).axis() == 1);
}

}  // TEST_SUITE
