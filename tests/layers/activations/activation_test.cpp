#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("Activation applies tanh to a (2, 3) input, with gradients") {
  keras::testing::run_layer_test([] { return layers::Activation("tanh"); },
                                 {.input_shapes = {{2, 3}}, .expected_output_shape = Shape{2, 3}});
}

TEST_CASE("Activation softmax normalises the last axis of a rank-3 input") {
  keras::testing::run_layer_test([] { return layers::Activation("softmax"); },
                                 {.input_shapes = {{2, 3, 4}}, .expected_output_shape = Shape{2, 3, 4}});
}

TEST_CASE("Activation relu matches Keras's example") {
  layers::Activation relu("relu");
  check_allclose(relu(Tensor({-3.f, -1.f, 0.f, 2.f})), Tensor({0.f, 0.f, 0.f, 2.f}));
  CHECK(relu.activation().name() == "relu");
}

TEST_CASE("Activation config is the base config plus the activation's name, as Keras") {
  layers::Activation layer("swish", {.name = "act"});
  const Config c = layer.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "activation"});
  CHECK(c["activation"] == "silu");  // Keras serialises the swish alias as silu
  std::shared_ptr<Layer> copy = deserialize_layer(serialize_layer(layer));
  CHECK(copy->class_name() == "Activation");
  CHECK(copy->name() == "act");
}

TEST_CASE("Activation takes a C++ callable, which runs but cannot be serialised unless registered") {
  layers::Activation twice([](const Tensor& x) { return x * 2.0; });
  check_allclose(twice(Tensor({1.f, 2.f})), Tensor({2.f, 4.f}));
  CHECK_THROWS_WITH_AS(twice.get_config(), doctest::Contains("register_activation"), ValueError);
}

TEST_CASE("Activation rejects an unknown activation name") {
  CHECK_THROWS_WITH_AS(layers::Activation("nope"), doctest::Contains("Unknown activation function: 'nope'"), ValueError);
  CHECK_THROWS_AS(deserialize_layer(Config{{"class_name", "Activation"}, {"config", Config::object()}}), ValueError);
}

}  // TEST_SUITE
