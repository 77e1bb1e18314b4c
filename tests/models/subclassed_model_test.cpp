#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;

namespace {

// A subclassed model as a user writes one: layers as members, tracked in one line, call() overridden,
// get_config/from_config for saving, registered under "package>Name".
class Mlp final : public Model {
 public:
  explicit Mlp(int64_t hidden = 64, int64_t classes = 10, ModelOptions options = {})
      : Model("Mlp", std::move(options)),
        hidden_(hidden),
        classes_(classes),
        dense1_(hidden, {.activation = "relu", .name = "hidden"}),
        dense2_(classes, {.name = "logits"}) {
    track(dense1_, dense2_);
  }

  using Model::call;
  Tensor call(const Tensor& x, bool training) override { return dense2_(dense1_(x, training), training); }

  Config get_config() const override {
    Config config = Model::get_config();
    config["hidden"] = hidden_;
    config["classes"] = classes_;
    return config;
  }
  static std::shared_ptr<Layer> from_config(const Config& config) {
    const LayerOptions base = base_options(config);
    return std::make_shared<Mlp>(config.at("hidden").get<int64_t>(), config.at("classes").get<int64_t>(),
                                 ModelOptions{.name = base.name, .trainable = base.trainable});
  }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Mlp>(*this); }

  const layers::Dense& dense1() const { return dense1_; }
  const layers::Dense& dense2() const { return dense2_; }

 private:
  int64_t hidden_;
  int64_t classes_;
  layers::Dense dense1_;
  layers::Dense dense2_;
};

[[maybe_unused]] const bool mlp_registered = register_layer("my_package>Mlp", &Mlp::from_config);

Tensor reference(const Mlp& m, const Tensor& x) {
  Tensor h = ops::relu(ops::matmul(x, m.dense1().kernel()) + m.dense1().bias());
  return ops::matmul(h, m.dense2().kernel()) + m.dense2().bias();
}

}  // namespace

TEST_SUITE("models") {

TEST_CASE("A subclassed model builds its tracked layers on the first call and owns their weights") {
  Mlp model(8, 3, {.name = "mlp_weights"});
  CHECK(model.name() == "mlp_weights");
  CHECK(model.class_name() == "Mlp");
  CHECK_FALSE(model.is_functional());
  CHECK_FALSE(model.built());
  CHECK(model.layers().size() == 2);
  CHECK(model.weights().empty());
  CHECK(model.count_params() == 0);

  Tensor x = random::normal({4, 5}, {.seed = 21});
  Tensor y = model(x);
  CHECK(y.shape() == Shape{4, 3});
  CHECK(model.built());
  check_allclose(y, reference(model, x), 1e-5, 1e-6);

  // Keras's order: trainable weights of each tracked layer, in tracking order.
  const auto weights = model.weights();
  REQUIRE(weights.size() == 4);
  CHECK(weights[0].shape() == Shape{5, 8});
  CHECK(weights[1].shape() == Shape{8});
  CHECK(weights[2].shape() == Shape{8, 3});
  CHECK(weights[3].shape() == Shape{3});
  CHECK(model.count_params() == 5 * 8 + 8 + 8 * 3 + 3);
  CHECK(model.get_layer("logits")->name() == "logits");

  model.set_trainable(false);
  CHECK(model.trainable_weights().empty());
  CHECK(model.non_trainable_weights().size() == 4);
  model.set_trainable(true);
  CHECK(model.trainable_weights().size() == 4);
}

TEST_CASE("A subclassed model infers output shapes by running call") {
  Mlp model(6, 2);
  CHECK(model.compute_output_shape(Shape{None, 5}) == Shape{None, 2});
  CHECK(model.compute_output_shape(std::vector<Shape>{Shape{7, 5}}) == std::vector<Shape>{Shape{7, 2}});
}

TEST_CASE("summary of a subclassed model shows unbuilt layers, then the shapes they were built with") {
  // Keras prints "?" and "0 (unbuilt)" for layers without nodes or build shapes; after an eager
  // call the shapes come from compute_output_shape of the shapes each layer was built with
  // (batch 2 here). Layout as in summary_test.cpp: line_length 88 -> columns 38, 29, 17.
  Mlp model(64, 10, {.name = "mlp_model"});
  CHECK(model.summary_string({.line_length = 88}) == R"txt(Model: "mlp_model"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ hidden (Dense)                       │ ?                           │     0 (unbuilt) │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ logits (Dense)                       │ ?                           │     0 (unbuilt) │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
)txt");
  model(ops::zeros({2, 784}));
  CHECK(model.summary_string({.line_length = 88}) == R"txt(Model: "mlp_model"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ hidden (Dense)                       │ (2, 64)                     │          50,240 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ logits (Dense)                       │ (2, 10)                     │             650 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 50,890 (198.79 KB)
 Trainable params: 50,890 (198.79 KB)
 Non-trainable params: 0 (0.00 B)
)txt");
}

TEST_CASE("A subclassed model works as a layer of a functional model") {
  Mlp mlp(8, 3, {.name = "nested_mlp"});
  KerasTensor x = Input({5}, {.name = "nested_in"});
  KerasTensor h = mlp(x);
  CHECK(h.shape() == Shape{None, 3});
  KerasTensor y = layers::Dense(1, {.name = "nested_head"})(h);
  Model outer(x, y, {.name = "outer_with_mlp"});
  CHECK(outer.weights().size() == 6);
  CHECK(outer.count_params() == 75 + 3 + 1);

  Tensor v = random::normal({3, 5}, {.seed = 5});
  auto& head = static_cast<layers::Dense&>(*outer.get_layer("nested_head"));
  check_allclose(outer(v), ops::matmul(reference(mlp, v), head.kernel()) + head.bias(), 1e-5, 1e-6);

  const std::string text = outer.summary_string({.line_length = 88});
  CHECK(text.find("│ nested_mlp (Mlp)                     │ (None, 3)                   │              75 │") !=
        std::string::npos);
}

TEST_CASE("A registered subclassed model round-trips through serialize_layer and deserialize_layer") {
  Mlp model(8, 3, {.name = "saved_mlp"});
  Tensor x = random::normal({4, 5}, {.seed = 8});
  Tensor y = model(x);

  const Config object = serialize_layer(model);
  CHECK(object["module"] == "my_package");
  CHECK(object["class_name"] == "Mlp");
  CHECK(object["registered_name"] == "my_package>Mlp");
  CHECK(object["config"]["name"] == "saved_mlp");
  CHECK(object["config"]["hidden"] == 8);
  CHECK(object["config"]["classes"] == 3);
  CHECK(object["build_config"]["input_shape"].dump() == "[4,5]");

  // The build config rebuilds the sub-layers (by running the model once), so weights can be set.
  std::shared_ptr<Layer> copy = deserialize_layer(object);
  REQUIRE(copy->class_name() == "Mlp");
  CHECK(copy->built());
  CHECK(copy->weights().size() == 4);
  CHECK(copy->get_config().dump() == model.get_config().dump());
  copy->set_weights(model.get_weights());
  check_allclose((*copy)(x), y);
  CHECK(serialize_layer(*copy).dump() == object.dump());
}

TEST_CASE("A functional model holding a registered subclassed model rebuilds from its config") {
  Mlp mlp(4, 2, {.name = "inner_mlp"});
  KerasTensor x = Input({3}, {.name = "config_in"});
  Model outer(x, mlp(x), {.name = "config_outer"});
  auto copy = std::static_pointer_cast<Model>(Model::from_config(outer.get_config()));
  CHECK(copy->get_layer("inner_mlp")->class_name() == "Mlp");
  copy->set_weights(outer.get_weights());
  Tensor v = random::normal({2, 3}, {.seed = 4});
  check_allclose((*copy)(v), outer(v));
}

TEST_CASE("An unregistered subclassed model names the missing registration when loaded") {
  Mlp model(2, 2);
  Config object = serialize_layer(model);
  object["registered_name"] = "other_package>Mlp";
  object["class_name"] = "NotRegistered";
  CHECK_THROWS_WITH_AS(deserialize_layer(object), doctest::Contains("register_layer"), ValueError);
}

}  // TEST_SUITE
