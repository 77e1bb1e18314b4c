#include <keras/keras.h>
#include <keras/io/keras_archive.h>
#include <keras/io/keras_h5_weights.h>
#include <keras/layers/registry.h>
#include <keras/layers/weight_budget.h>

#include <doctest/doctest.h>

#include "support/files.h"
#include "support/gradient_check.h"

#include <cstring>

using namespace keras;
using keras::testing::TempDir;

namespace {

// A subclassed model, registered as Keras's register_keras_serializable("my_package") would key it.
class TwoTower final : public Model {
 public:
  explicit TwoTower(ModelOptions options = {}) : Model("TwoTower", std::move(options)) { track(left_, right_, merge_); }
  using Model::call;
  Tensor call(const Tensor& inputs, bool training) override {
    return merge_(left_(inputs, training), training) + right_(inputs, training);
  }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<TwoTower>(*this); }
  static std::shared_ptr<Layer> from_config(const Config& config) {
    const LayerOptions base = base_options(config);
    return std::make_shared<TwoTower>(ModelOptions{.name = base.name, .trainable = base.trainable});
  }

 private:
  layers::Dense left_{6, {.activation = "relu"}};
  layers::Dense right_{3};
  layers::Dense merge_{3};
};

[[maybe_unused]] const bool registered = register_layer("my_package>TwoTower", &TwoTower::from_config);

bool same_bytes(const Tensors& a, const Tensors& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape() || a[i].dtype() != b[i].dtype() ||
        std::memcmp(a[i].data(), b[i].data(), a[i].nbytes()) != 0) {
      return false;
    }
  }
  return true;
}

// Two inputs, two outputs, a layer shared by both branches and a nested Sequential.
Model functional() {
  KerasTensor a = Input({4}, {.name = "a"});
  KerasTensor b = Input({4}, {.name = "b"});
  layers::Dense shared(5, {.activation = "tanh", .name = "shared"});
  Sequential tower({layers::Dense(5, {.activation = "relu", .name = "t1"}), layers::Dense(5, {.name = "t2"})},
                   {.name = "tower"});
  KerasTensor ha = tower(shared(a));
  KerasTensor hb = shared(b);
  KerasTensor joined = layers::Concatenate({.name = "join"})({ha, hb});
  return Model({a, b}, {layers::Dense(2, {.name = "out1"})(joined), layers::Dense(1, {.name = "out2"})(hb)},
               {.name = "two_way"});
}

void check_same_outputs(Model& a, Model& b, const Tensors& x) {
  const Tensors ya = a.predict(x), yb = b.predict(x);
  REQUIRE(ya.size() == yb.size());
  for (size_t i = 0; i < ya.size(); ++i) keras::testing::check_allclose(yb[i], ya[i], 0, 0);
}

}  // namespace

TEST_SUITE("io") {

TEST_CASE("Sequential, Functional and subclassed models round-trip through .keras and .h5 unchanged") {
  Sequential seq({Input({4}, {.name = "x"}), layers::Dense(6, {.activation = "relu", .name = "h"}),
                  layers::Rescaling(0.5, {.name = "half"}), layers::Dense(2, {.activation = "softmax", .name = "p"})},
                 {.name = "seq"});
  Model fn = functional();
  TwoTower sub({.name = "towers"});
  const Tensor x4 = random::normal({3, 4}, {.seed = 11});
  sub(x4);  // builds it
  const Tensors x2 = {x4, random::normal({3, 4}, {.seed = 12})};

  for (const char* suffix : {".keras", ".h5"}) {
    INFO(std::string(suffix));
    TempDir dir;
    for (Model* m : std::vector<Model*>{&seq, &fn, &sub}) {
      INFO(m->name());
      const std::string path = dir / (m->name() + suffix);
      m->save(path);
      std::shared_ptr<Model> back = load_model(path);
      CHECK(back->name() == m->name());
      CHECK(back->class_name() == m->class_name());
      CHECK(same_bytes(back->get_weights(), m->get_weights()));
      if (m == &fn) {
        check_same_outputs(*m, *back, x2);
        CHECK(back->get_layer("tower")->class_name() == "Sequential");
      } else {
        check_same_outputs(*m, *back, {x4});
      }
      if (m == &sub) CHECK(std::dynamic_pointer_cast<TwoTower>(back) != nullptr);
    }
  }
}

TEST_CASE("Compiled Sequential, Functional and subclassed models keep compile config and optimizer state in .keras and .h5") {
  Sequential seq({Input({4}), layers::Dense(3, {.activation = "relu", .name = "h"}), layers::Dense(2, {.name = "p"})},
                 {.name = "seq"});
  Model fn = functional();
  TwoTower sub({.name = "towers"});
  const Tensor x4 = random::normal({3, 4}, {.seed = 11});
  sub(x4);
  const Tensors x2 = {x4, random::normal({3, 4}, {.seed = 12})};
  const Tensor y1 = random::normal({3, 1}, {.seed = 13}), y2 = random::normal({3, 2}, {.seed = 14}),
               y3 = random::normal({3, 3}, {.seed = 15});
  seq.compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});
  fn.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}),
              .loss = Losses(std::vector<LossArg>{"mse", "mae"}),
              .loss_weights = {1.0, 0.5}});
  sub.compile({.optimizer = optimizers::Adamax(), .loss = "mse"});
  struct Case {
    Model* model;
    Tensors x, y;
  };
  const std::vector<Case> cases = {{&seq, {x4}, {y2}}, {&fn, x2, {y2, y1}}, {&sub, {x4}, {y3}}};
  for (const Case& c : cases) c.model->train_on_batch(c.x, c.y);
  for (const char* suffix : {".keras", ".h5"}) {
    INFO(std::string(suffix));
    TempDir dir;
    for (const Case& c : cases) {
      INFO(c.model->name());
      const std::string path = dir / (c.model->name() + suffix);
      c.model->save(path);
      std::shared_ptr<Model> back = load_model(path);
      REQUIRE(back->compiled());
      CHECK(back->get_compile_config() == c.model->get_compile_config());
      const std::vector<Variable> want = c.model->optimizer().variables(), got = back->optimizer().variables();
      REQUIRE(want.size() == got.size());
      for (size_t i = 0; i < want.size(); ++i) CHECK(same_bytes({got[i].value()}, {want[i].value()}));
      // The next step is the same step.
      c.model->train_on_batch(c.x, c.y);
      back->train_on_batch(c.x, c.y);
      CHECK(same_bytes(back->get_weights(), c.model->get_weights()));
    }
  }
}

TEST_CASE("Weights files round-trip byte for byte and load into a fresh copy of the architecture") {
  Model fn = functional();
  TempDir dir;
  fn.save_weights(dir / "fn.weights.h5");
  std::shared_ptr<Model> copy = models::model_from_json(fn.to_json());
  CHECK_FALSE(same_bytes(copy->get_weights(), fn.get_weights()));
  copy->load_weights(dir / "fn.weights.h5");
  CHECK(same_bytes(copy->get_weights(), fn.get_weights()));
  // The nested Sequential's layers sit below it, at their class-named paths.
  const io::H5File file = io::H5File::open(dir / "fn.weights.h5");
  CHECK(file.has_dataset("layers/sequential/layers/dense_1/vars/1"));
  CHECK(file.group("layers/sequential/layers/dense_1/vars").read_string_attribute("name") == "t2");
}

TEST_CASE("to_json is serialize_keras_object as Python writes it, and model_from_json rebuilds the model") {
  Sequential model({Input({3}, {.name = "in"}), layers::Dense(2, {.name = "d"})}, {.name = "tiny"});
  const std::string text = model.to_json();
  CHECK(text.rfind(R"({"module": "keras", "class_name": "Sequential", "config": {"name": "tiny", "trainable": true, )", 0) == 0);
  CHECK(text.find(R"("build_config": {"input_shape": [null, 3]})") != std::string::npos);
  std::shared_ptr<Model> back = models::model_from_json(text);
  CHECK(back->to_json() == text);
  CHECK(back->count_params() == model.count_params());
  TwoTower sub({.name = "sub"});
  sub(ops::ones({1, 4}));
  const std::string sub_text = sub.to_json();
  CHECK(sub_text.find(R"("module": "my_package", "class_name": "TwoTower")") != std::string::npos);
  CHECK(sub_text.find(R"("registered_name": "my_package>TwoTower")") != std::string::npos);
  std::shared_ptr<Model> sub_back = models::model_from_json(sub_text);
  CHECK(sub_back->weights().size() == 6);  // built from its build_config
  CHECK_THROWS_WITH_AS(models::model_from_json("[1, 2"), doctest::Contains("not valid JSON"), ValueError);
  CHECK_THROWS_WITH_AS(models::model_from_json(R"({"class_name": "Dense", "config": {"units": 1}})"),
                       doctest::Contains("not a model"), ValueError);
}

TEST_CASE("A file whose config asks for more weight data than it holds is a ValueError, before any allocation") {
  // Found by fuzz_model_config: a Dense of 480 million units made load_model allocate 1.9 GB.
  TempDir dir;
  Sequential small({Input({4}, {.name = "x"}), layers::Dense(2, {.name = "d"})}, {.name = "s"});
  Config config = serialize_layer(small);
  for (Config& layer : config["config"]["layers"]) {
    if (layer["config"]["name"] == "d") layer["config"]["units"] = 1000000000;  // 16 GB of kernel
  }
  io::write_keras_archive(dir / "huge.keras", config,
                          [&](io::H5File& file) { io::write_saveables(file, io::collect_saveables(small)); });
  CHECK_THROWS_WITH_AS(load_model(dir / "huge.keras"), doctest::Contains("describes weights larger than it can hold"),
                       ValueError);
  // A shape whose byte count overflows 64 bits is refused too, and budgets nest.
  const WeightBudget outer(1 << 20, "outer");
  {
    const WeightBudget inner(uint64_t{1} << 40, "inner");
    const Tensor x = ops::zeros({1, 2});
    CHECK_THROWS_WITH_AS(layers::Dense(4611686018427387904)(x), doctest::Contains("'inner' describes weights larger"),
                         ValueError);
    CHECK_THROWS_WITH_AS(layers::Dense(1 << 19)(x), doctest::Contains("'outer' describes weights larger"), ValueError);
  }
  CHECK(layers::Dense(3)(ops::zeros({1, 2})).shape() == Shape({1, 3}));  // 36 bytes fit
}

}  // TEST_SUITE
