#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("models") {

TEST_CASE("Sequential built from an Input runs its layers in order") {
  Sequential model({Input({3}), layers::Dense(4, {.activation = "relu"}), layers::Dense(2)});
  CHECK(model.built());
  CHECK(model.layers().size() == 2);
  CHECK(model.outputs()[0].shape() == Shape{None, 2});
  Tensor x = random::normal({5, 3}, {.seed = 1});
  auto l0 = model.layers()[0];
  auto l1 = model.layers()[1];
  check_allclose(model(x), (*l1)((*l0)(x)));
  CHECK(model.count_params() == 3 * 4 + 4 + 4 * 2 + 2);
}

TEST_CASE("Sequential builds lazily on its first call") {
  Sequential model({layers::Dense(4), layers::Dense(1)});
  CHECK_FALSE(model.built());
  Tensor y = model(ops::ones({2, 7}));
  CHECK(y.shape() == Shape{2, 1});
  CHECK(model.built());
  CHECK(model.weights().size() == 4);
  CHECK(model.inputs()[0].shape() == Shape{None, 7});
}

TEST_CASE("Sequential add and pop change the stack") {
  Sequential model;
  model.add(Input({3}));
  model.add(layers::Dense(2, {.name = "a"}));
  model.add(layers::Dense(5, {.name = "b"}));
  CHECK(model(ops::ones({1, 3})).shape() == Shape{1, 5});
  model.pop();
  CHECK(model(ops::ones({1, 3})).shape() == Shape{1, 2});
  CHECK(model.weights().size() == 2);
  CHECK_THROWS_WITH_AS(model.add(layers::Dense(2, {.name = "a"})), doctest::Contains("unique names"), ValueError);
}

TEST_CASE("A functional model with two inputs, two outputs, a shared layer and a nested Sequential matches the same ops") {
  KerasTensor a = Input({4}, {.name = "a"});
  KerasTensor b = Input({4}, {.name = "b"});
  layers::Dense shared(3, {.name = "shared"});
  KerasTensor ha = shared(a);
  KerasTensor hb = shared(b);
  layers::Dense inner1(5, {.activation = "tanh", .name = "inner1"});
  layers::Dense inner2(2, {.name = "inner2"});
  Sequential nested({inner1, inner2}, {.name = "nested"});
  KerasTensor out1 = nested(ha);
  KerasTensor out2 = layers::Dense(1, {.name = "head2"})(hb);
  Model model({a, b}, {out1, out2});
  CHECK(model.weights().size() == 8);
  Tensor xa = random::normal({2, 4}, {.seed = 3}), xb = random::normal({2, 4}, {.seed = 4});
  Tensors ys = model({xa, xb});
  auto& s = static_cast<layers::Dense&>(*model.get_layer("shared"));
  auto& h2 = static_cast<layers::Dense&>(*model.get_layer("head2"));
  auto dense = [](const Tensor& x, const layers::Dense& d) { return ops::matmul(x, d.kernel()) + d.bias(); };
  check_allclose(ys[0], dense(ops::tanh(dense(dense(xa, s), inner1)), inner2), 1e-5, 1e-6);
  check_allclose(ys[1], dense(dense(xb, s), h2), 1e-5, 1e-6);
}

TEST_CASE("A functional model raises shape errors when the graph is built") {
  KerasTensor x = Input({4});
  KerasTensor h = layers::Dense(3)(x);
  layers::Dense d(2, {.name = "needs_three"});
  d(h);
  KerasTensor other = Input({5});
  CHECK_THROWS_WITH_AS(d(other), doctest::Contains("expected axis -1 of input shape to have value 3"), ValueError);
}

TEST_CASE("A model without the inputs its outputs need is a disconnected graph") {
  KerasTensor x = Input({4});
  KerasTensor y = Input({4});
  KerasTensor out = layers::Dense(1)(y);
  CHECK_THROWS_WITH_AS(Model(x, out), doctest::Contains("Graph disconnected"), ValueError);
}

TEST_CASE("A nested Sequential model works as a layer of a functional model") {
  Sequential inner({layers::Dense(3, {.activation = "tanh"}), layers::Dense(2)}, {.name = "inner"});
  KerasTensor x = Input({5});
  KerasTensor y = inner(x);
  Model outer(x, y);
  CHECK(y.shape() == Shape{None, 2});
  Tensor v = random::normal({4, 5}, {.seed = 9});
  check_allclose(outer(v), inner(v));
  CHECK(outer.weights().size() == 4);
}

TEST_CASE("Functional and Sequential configs rebuild identical architectures") {
  KerasTensor a = Input({4}, {.name = "in_a"});
  KerasTensor b = Input({4}, {.name = "in_b"});
  layers::Dense shared(3, {.name = "shared_dense"});
  KerasTensor out = layers::Dense(2, {.name = "out_dense"})(shared(a));
  KerasTensor out_b = shared(b);
  Model model({a, b}, {out, out_b}, {.name = "two_way"});
  const Config config = model.get_config();
  auto copy = std::static_pointer_cast<Model>(Model::from_config(config));
  CHECK(copy->get_config().dump() == config.dump());
  copy->set_weights(model.get_weights());
  Tensor xa = random::normal({2, 4}, {.seed = 1}), xb = random::normal({2, 4}, {.seed = 2});
  Tensors y1 = model({xa, xb}), y2 = (*copy)({xa, xb});
  check_allclose(y1[0], y2[0]);
  check_allclose(y1[1], y2[1]);
  // Keras 3 node format: the shared layer has two nodes, the second fed by in_b.
  const Config& layers_cfg = config["layers"];
  bool found = false;
  for (const Config& l : layers_cfg) {
    if (l["name"] == "shared_dense") {
      found = true;
      REQUIRE(l["inbound_nodes"].size() == 2);
      CHECK(l["inbound_nodes"][1]["args"][0]["config"]["keras_history"].dump() == R"(["in_b",0,0])");
    }
  }
  CHECK(found);

  Sequential seq({Input({3}, {.name = "seq_in"}), layers::Dense(2, {.name = "d1"})}, {.name = "seq"});
  auto seq2 = std::static_pointer_cast<Sequential>(Sequential::from_config(seq.get_config()));
  CHECK(seq2->get_config().dump() == seq.get_config().dump());
  CHECK(seq.get_config()["build_input_shape"].dump() == "[null,3]");
}

TEST_CASE("Functional configs in the Keras 2 node format load") {
  const Config config = Config::parse(R"({
    "name": "k2", "trainable": true,
    "layers": [
      {"class_name": "InputLayer", "name": "input_1",
       "config": {"batch_input_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_1"},
       "inbound_nodes": []},
      {"class_name": "Dense", "name": "dense",
       "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 2, "activation": "relu",
                  "use_bias": true,
                  "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
                  "bias_initializer": {"class_name": "Zeros", "config": {}},
                  "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
                  "kernel_constraint": null, "bias_constraint": null},
       "inbound_nodes": [[["input_1", 0, 0, {}]]]}
    ],
    "input_layers": [["input_1", 0, 0]],
    "output_layers": [["dense", 0, 0]]})");
  auto model = std::static_pointer_cast<Model>(Model::from_config(config));
  CHECK(model->outputs()[0].shape() == Shape{None, 2});
  CHECK((*model)(ops::ones({4, 3})).shape() == Shape{4, 2});
}

TEST_CASE("Unknown layer classes name the class and how to register it") {
  const Config object = Config::parse(R"({"class_name": "MyLayer", "config": {}, "registered_name": "pkg>MyLayer"})");
  CHECK_THROWS_WITH_AS(deserialize_layer(object), doctest::Contains("pkg>MyLayer"), ValueError);
  CHECK_THROWS_WITH_AS(deserialize_layer(object), doctest::Contains("register_layer"), ValueError);
}

TEST_CASE("predict runs in batches and concatenates") {
  Sequential model({Input({2}), layers::Dense(3)});
  Tensor x = random::normal({10, 2}, {.seed = 5});
  check_allclose(model.predict(x, {.batch_size = 3}), model(x), 1e-6, 1e-6);
}

}  // TEST_SUITE
