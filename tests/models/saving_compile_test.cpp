#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <functional>

#include "support/files.h"

using namespace keras;
using keras::testing::TempDir;
using keras::testing::keras_fixture;
using nlohmann::json;

namespace {

json fixture_layout() {
  return keras::testing::read_json(keras_fixture("mlp.expected.json"))["mlp"]["layout"]["mlp.keras"]["weights_h5"]["entries"];
}

double sum_of(const Variable& v) {
  double s = 0.0;
  for (double x : v.value().astype(DType::float64).to_vector<double>()) s += x;
  return s;
}

Sequential make_model() {
  utils::set_random_seed(11);
  Sequential model({Input({2}), layers::Dense(4, {.activation = "tanh"}), layers::Dense(1)});
  model.compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});
  return model;
}

std::pair<Tensor, Tensor> line_data() {
  Tensor x = random::uniform({24, 2}, {.minval = -1.0, .maxval = 1.0, .seed = 5});
  return {x, ops::matmul(x, ops::full({2, 1}, 0.5))};
}

}  // namespace

TEST_SUITE("training") {
  TEST_CASE("load_model compiles from compile_config and restores the optimizer's state") {
    std::shared_ptr<Model> model = load_model(keras_fixture("mlp.keras"));
    REQUIRE(model->compiled());
    optimizers::Optimizer& opt = model->optimizer();
    CHECK(opt.class_name() == "Adam");
    CHECK(opt.name() == "adam");
    CHECK(opt.iterations() == 2);
    CHECK(opt.learning_rate() == doctest::Approx(0.001));
    const Config cc = model->get_compile_config();
    CHECK(cc["loss"] == "categorical_crossentropy");
    CHECK(cc["metrics"] == Config::array({"accuracy"}));
    // Every optimizer/vars/<i> of the fixture, by its sum, in Keras's order.
    const std::vector<Variable> vars = opt.variables();
    size_t checked = 0;
    for (const json& e : fixture_layout()) {
      const std::string path = e["path"];
      if (path.rfind("optimizer/vars/", 0) != 0) continue;
      const size_t i = std::stoul(path.substr(15));
      REQUIRE(i < vars.size());
      INFO(path);
      CHECK(vars[i].shape() == Shape(e["shape"].get<std::vector<int64_t>>()));
      CHECK(sum_of(vars[i]) == doctest::Approx(e["sum"].get<double>()).epsilon(1e-6).scale(1e-6));
      ++checked;
    }
    CHECK(checked == 10);
    CHECK(vars.size() == 10);
    CHECK_FALSE(load_model(keras_fixture("mlp.keras"), {.compile = false})->compiled());
  }

  TEST_CASE("fit, save, load_model and fit again gives the weights of one uninterrupted fit") {
    auto [x, y] = line_data();
    const FitOptions fit = {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false};
    Sequential whole = make_model();
    FitOptions four = fit;
    four.epochs = 4;
    whole.fit(x, y, four);

    Sequential first = make_model();
    first.fit(x, y, fit);
    TempDir dir;
    first.save(dir / "half.keras");
    std::shared_ptr<Model> resumed = load_model(dir / "half.keras");
    REQUIRE(resumed->compiled());
    CHECK(resumed->optimizer().iterations() == 6);
    resumed->fit(x, y, fit);
    CHECK(resumed->optimizer().iterations() == 12);
    const Tensors a = whole.get_weights(), b = resumed->get_weights();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].to_vector<float>() == b[i].to_vector<float>());
    CHECK(resumed->evaluate(x, y, {.verbose = 0}).count("mae") == 1);
  }

  TEST_CASE("fit, save to legacy .h5, load_model and fit again gives the weights of one uninterrupted fit") {
    auto [x, y] = line_data();
    const std::vector<std::function<std::shared_ptr<Model>()>> makers = {
        [] { return std::make_shared<Sequential>(make_model()); },
        [] {
          utils::set_random_seed(12);
          KerasTensor in = Input({2});
          KerasTensor h = layers::Dense(3, {.activation = "relu", .name = "h"})(in);
          auto model = std::make_shared<Model>(in, layers::Dense(1, {.name = "o"})(h));
          model->compile({.optimizer = optimizers::RMSprop({.momentum = 0.5, .centered = true}), .loss = "mse",
                          .metrics = {"mae"}});
          return model;
        }};
    for (size_t m = 0; m < makers.size(); ++m) {
      INFO("model " << m);
      const FitOptions fit = {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false};
      FitOptions four = fit;
      four.epochs = 4;
      std::shared_ptr<Model> whole = makers[m]();
      whole->fit(x, y, four);

      std::shared_ptr<Model> first = makers[m]();
      first->fit(x, y, fit);
      TempDir dir;
      first->save(dir / "half.h5");
      std::shared_ptr<Model> resumed = load_model(dir / "half.h5");
      REQUIRE(resumed->compiled());
      CHECK(resumed->get_compile_config() == first->get_compile_config());
      CHECK(resumed->optimizer().iterations() == 6);
      resumed->fit(x, y, fit);
      CHECK(resumed->optimizer().iterations() == 12);
      const Tensors a = whole->get_weights(), b = resumed->get_weights();
      REQUIRE(a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].to_vector<float>() == b[i].to_vector<float>());
    }
  }

  TEST_CASE("save_weights writes the optimizer's state as Keras's optimizer/vars") {
    auto [x, y] = line_data();
    Sequential model = make_model();
    model.fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
    TempDir dir;
    model.save_weights(dir / "w.weights.h5");
    const io::H5File file = io::H5File::open(dir / "w.weights.h5");
    REQUIRE(file.has_group("optimizer/vars"));
    CHECK(file.group("optimizer/vars").children().size() == model.optimizer().variables().size());
    // Loading the weights into an uncompiled twin ignores the optimizer's group.
    utils::set_random_seed(3);
    Sequential twin({Input({2}), layers::Dense(4, {.activation = "tanh"}), layers::Dense(1)});
    twin.load_weights(dir / "w.weights.h5");
    CHECK(twin.get_weights()[0].to_vector<float>() == model.get_weights()[0].to_vector<float>());
  }

  TEST_CASE("load_weights restores a built optimizer's state from .weights.h5 and .keras files, as Keras 3") {
    auto [x, y] = line_data();
    Sequential model = make_model();
    model.fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
    TempDir dir;
    model.save_weights(dir / "w.weights.h5");
    model.save(dir / "m.keras");
    for (const std::string file : {"w.weights.h5", "m.keras"}) {
      INFO(file);
      utils::set_random_seed(3);
      Sequential twin({Input({2}), layers::Dense(4, {.activation = "tanh"}), layers::Dense(1)});
      twin.compile_from_config(model.get_compile_config());  // builds the optimizer
      REQUIRE(twin.optimizer().iterations() == 0);
      twin.load_weights(dir / file);
      CHECK(twin.optimizer().iterations() == 3);
      const std::vector<Variable> want = model.optimizer().variables(), got = twin.optimizer().variables();
      REQUIRE(want.size() == got.size());
      for (size_t i = 0; i < want.size(); ++i) CHECK(got[i].value().to_vector<float>() == want[i].value().to_vector<float>());
    }
    // A compiled model whose optimizer is not built yet keeps its (empty) state, with Keras's warning.
    Sequential unbuilt = make_model();
    unbuilt.load_weights(dir / "w.weights.h5");
    CHECK(unbuilt.get_weights()[0].to_vector<float>() == model.get_weights()[0].to_vector<float>());
  }

  TEST_CASE("compile_from_config reads what get_compile_config wrote") {
    Sequential model = make_model();
    Sequential other({Input({2}), layers::Dense(1)});
    other.compile_from_config(model.get_compile_config());
    CHECK(other.get_compile_config() == model.get_compile_config());
    CHECK(other.optimizer().built());
  }
}
