#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

#include <sstream>

using namespace keras;
using keras::testing::check_allclose;

namespace {

// Counts batch hooks and can stop training after a given batch.
class Recorder : public callbacks::Callback {
 public:
  struct State {
    std::vector<int64_t> train_batches;
    std::vector<int> epochs;
    int test_begins = 0;
    int64_t stop_after_batch = -1;
  };
  std::shared_ptr<State> state = std::make_shared<State>();
  void on_train_batch_end(int64_t batch, Logs& /*logs*/) override {
    state->train_batches.push_back(batch);
    if (batch == state->stop_after_batch) model().set_stop_training(true);
  }
  void on_epoch_begin(int epoch, Logs& /*logs*/) override { state->epochs.push_back(epoch); }
  void on_test_begin(Logs& /*logs*/) override { ++state->test_begins; }
};

// y = 2x - 1 with a little noise-free structure: a Dense(1) learns it exactly.
std::pair<Tensor, Tensor> line_data(int64_t n) {
  Tensor x = random::uniform({n, 1}, {.minval = -1.0, .maxval = 1.0, .seed = 3});
  return {x, x * 2.f - 1.f};
}

Sequential regression_model() {
  return Sequential({Input({1}), layers::Dense(1, {.kernel_initializer = "zeros"})});
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("fit drives the loss down and returns per-epoch history") {
  auto [x, y] = line_data(64);
  Sequential model = regression_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse", .metrics = {"mae"}});
  History history = model.fit(x, y, {.batch_size = 16, .epochs = 20, .verbose = 0});
  REQUIRE(history["loss"].size() == 20);
  CHECK(history["loss"].back() < 0.01 * history["loss"].front());
  CHECK(history["mae"].size() == 20);
  CHECK(history.epoch().front() == 0);
  Logs logs = model.evaluate(x, y, {.verbose = 0});
  CHECK(logs.at("loss") < 1e-3);
  CHECK(logs.count("mae") == 1);
}

TEST_CASE("validation_split holds out the last fraction of the samples, before shuffling") {
  // x is 0 everywhere, so the model predicts its bias; the last 20% of targets are 10, the rest 0.
  const int64_t n = 50;
  Tensor x = ops::zeros({n, 1});
  std::vector<float> yv(static_cast<size_t>(n), 0.f);
  for (int64_t i = 40; i < n; ++i) yv[static_cast<size_t>(i)] = 10.f;
  Tensor y = Tensor::from_vector(yv, {n, 1});
  Sequential model = regression_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.2}), .loss = "mse"});
  History h = model.fit(x, y, {.batch_size = 10, .epochs = 5, .verbose = 0, .validation_split = 0.2});
  CHECK(h["loss"].back() < 1e-6);              // trained only on the zeros
  CHECK(h["val_loss"].back() == doctest::Approx(100.0).epsilon(1e-3));  // validated on the tens
}

TEST_CASE("validation_data and validation_freq") {
  auto [x, y] = line_data(32);
  Sequential model = regression_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  Recorder rec;
  History h = model.fit(x, y, {.batch_size = 8, .epochs = 4, .verbose = 0, .callbacks = {rec},
                               .validation_data = {x, y}, .validation_freq = 2});
  CHECK(h["val_loss"].size() == 2);  // epochs 2 and 4
  CHECK(rec.state->test_begins == 2);
}

TEST_CASE("class_weight scales each sample's loss by its class") {
  Tensor x = ops::zeros({4, 1});
  Tensor y = Tensor({0.f, 0.f, 1.f, 1.f}, {4, 1});
  auto loss_with = [&](std::map<int64_t, double> cw) {
    Sequential model = regression_model();
    model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
    return model.fit(x, y, {.batch_size = 4, .epochs = 1, .verbose = 0, .shuffle = false, .class_weight = cw})["loss"][0];
  };
  // Predictions are 0: squared errors 0, 0, 1, 1. Class 1 weighted 3 -> mean(0, 0, 3, 3) = 1.5.
  CHECK(loss_with({}) == doctest::Approx(0.5));
  CHECK(loss_with({{0, 1.0}, {1, 3.0}}) == doctest::Approx(1.5));
}

TEST_CASE("sample_weight of zero removes a sample from the loss") {
  Tensor x = ops::zeros({2, 1});
  Tensor y = Tensor({0.f, 4.f}, {2, 1});
  Sequential model = regression_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  History h = model.fit(x, y, {.batch_size = 2, .epochs = 1, .verbose = 0, .sample_weight = Tensor({1.f, 0.f})});
  CHECK(h["loss"][0] == doctest::Approx(0.0));
  Logs logs = model.evaluate(x, y, {.verbose = 0, .sample_weight = Tensor({0.f, 1.f})});
  CHECK(logs.at("loss") == doctest::Approx(8.0));  // (0 + 16) / 2: Keras divides by the batch size
}

TEST_CASE("initial_epoch starts the epoch count and steps_per_epoch limits the batches") {
  auto [x, y] = line_data(40);
  Sequential model = regression_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  Recorder rec;
  History h = model.fit(x, y, {.batch_size = 5, .epochs = 5, .verbose = 0, .callbacks = {rec}, .initial_epoch = 3,
                               .steps_per_epoch = 2});
  CHECK(h.epoch() == std::vector<int>{3, 4});
  CHECK(rec.state->epochs == std::vector<int>{3, 4});
  CHECK(rec.state->train_batches == std::vector<int64_t>{0, 1, 0, 1});
}

TEST_CASE("stop_training set by a callback ends fit after the current batch") {
  auto [x, y] = line_data(40);
  Sequential model = regression_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  Recorder rec;
  rec.state->stop_after_batch = 2;
  History h = model.fit(x, y, {.batch_size = 5, .epochs = 3, .verbose = 0, .callbacks = {rec}});
  CHECK(rec.state->train_batches == std::vector<int64_t>{0, 1, 2});
  CHECK(h["loss"].size() == 1);
}

TEST_CASE("steps_per_execution calls the batch hooks once per execution") {
  auto [x, y] = line_data(40);
  Sequential model = regression_model();
  model.compile({.optimizer = "sgd", .loss = "mse", .steps_per_execution = 4});
  Recorder rec;
  model.fit(x, y, {.batch_size = 5, .epochs = 1, .verbose = 0, .callbacks = {rec}});
  CHECK(rec.state->train_batches == std::vector<int64_t>{3, 7});
}

TEST_CASE("Seeded shuffling makes fit repeat exactly") {
  const auto data = line_data(30);
  const auto& x = data.first;
  const auto& y = data.second;
  auto train = [&] {
    utils::set_random_seed(42);
    Sequential model({Input({1}), layers::Dense(4, {.activation = "tanh"}), layers::Dense(1)});
    model.compile({.optimizer = "adam", .loss = "mse"});
    model.fit(x, y, {.batch_size = 7, .epochs = 2, .verbose = 0});
    return model.get_weights();
  };
  auto a = train(), b = train();
  for (size_t i = 0; i < a.size(); ++i) check_allclose(a[i], b[i], 0, 0);
}

TEST_CASE("train_on_batch, test_on_batch and predict_on_batch work on one batch") {
  auto [x, y] = line_data(8);
  Sequential model = regression_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.5}), .loss = "mse"});
  const double before = model.test_on_batch({x}, {y}).at("loss");
  model.train_on_batch({x}, {y});
  model.reset_metrics();
  CHECK(model.test_on_batch({x}, {y}).at("loss") < before);
  CHECK(model.predict_on_batch({x})[0].shape() == Shape{8, 1});
}

TEST_CASE("A subclass overriding train_step still gets fit's callbacks") {
  struct Custom : Model {
    std::shared_ptr<int> steps = std::make_shared<int>(0);
    layers::Dense dense{1};
    Custom() : Model("Custom") { track(dense); }
    Tensor call(const Tensor& x, bool /*training*/) override { return dense(x); }
    std::shared_ptr<Layer> clone() const override { return std::make_shared<Custom>(*this); }
    Logs train_step(const Batch& data) override {
      ++*steps;
      return Model::train_step(data);
    }
  };
  auto [x, y] = line_data(20);
  for (bool run_eagerly : {true, false}) {
    Custom model;
    model.compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = run_eagerly});
    Recorder rec;
    History h = model.fit(x, y, {.batch_size = 5, .epochs = 2, .verbose = 0, .callbacks = {rec}});
    // Traced (the default), the C++ body runs once and its graph replays, as tf.function runs a
    // Python step's side effects only while tracing.
    CHECK(*model.steps == (run_eagerly ? 8 : 1));
    CHECK(rec.state->train_batches.size() == 8);
    CHECK(h["loss"].size() == 2);
  }
}

TEST_CASE("Multi-output models take a loss per output and log each") {
  KerasTensor in = Input({2});
  KerasTensor a = layers::Dense(1, {.name = "out_a"})(in);
  KerasTensor b = layers::Dense(1, {.name = "out_b"})(in);
  Model model(std::vector<KerasTensor>{in}, std::vector<KerasTensor>{a, b});
  model.compile({.optimizer = "sgd", .loss = {"mse", "mae"}, .loss_weights = {1.0, 0.5}});
  Tensor x = random::normal({16, 2}, {.seed = 1});
  History h = model.fit({x}, {ops::zeros({16, 1}), ops::ones({16, 1})}, {.batch_size = 8, .epochs = 1, .verbose = 0});
  CHECK(h.history().count("out_a_loss") == 1);
  CHECK(h.history().count("out_b_loss") == 1);
  CHECK(h["loss"][0] > 0);
}

TEST_CASE("fit and evaluate accept a Dataset of (x, y) batches") {
  auto [x, y] = line_data(32);
  Sequential model = regression_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  data::Dataset ds = data::Dataset::from_tensor_slices(Tensors{x, y}).shuffle(32, 1).batch(8);
  History h = model.fit(ds, {.epochs = 15, .verbose = 0});
  CHECK(h["loss"].back() < h["loss"].front());
  CHECK(model.evaluate(ds, {.verbose = 0}).at("loss") < 0.05);
}

TEST_CASE("compile errors are clear") {
  Sequential model = regression_model();
  CHECK_THROWS_WITH_AS(model.fit(ops::zeros({2, 1}), ops::zeros({2, 1})), doctest::Contains("compile()"), ValueError);
  model.compile({.loss = "mse"});
  CHECK_THROWS_WITH_AS(model.fit(ops::zeros({2, 1}), ops::zeros({3, 1}), {.verbose = 0}), doctest::Contains("samples"),
                       ValueError);
  CHECK(model.get_compile_config()["loss"] == "mse");
  CHECK(model.get_compile_config()["optimizer"]["class_name"] == "RMSprop");
}

TEST_CASE("The progress line has Keras 3's format") {
  const std::string line = callbacks::format_progress(469, 469, 2.2, true, {{"accuracy", 0.85123}, {"loss", 0.42049}}, false);
  CHECK(line == "469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 5ms/step - accuracy: 0.8512 - loss: 0.4205");
  CHECK(callbacks::format_log_value(0.0001234) == "1.2340e-04");
}

}  // TEST_SUITE
