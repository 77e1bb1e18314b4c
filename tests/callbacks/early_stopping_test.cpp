#include <keras/keras.h>

#include <doctest/doctest.h>

#include <iostream>
#include <sstream>

using namespace keras;

namespace {

std::pair<Tensor, Tensor> stopping_data(int64_t n) {
  Tensor x = random::uniform({n, 1}, {.minval = -1.0, .maxval = 1.0, .seed = 3});
  return {x, x * 2.f - 1.f};
}

Sequential line_model() { return Sequential({Input({1}), layers::Dense(1, {.kernel_initializer = "zeros"})}); }

// Redirects a stream into a string while alive.
class Capture {
 public:
  explicit Capture(std::ostream& os) : os_(os), old_(os.rdbuf(buf_.rdbuf())) {}
  ~Capture() { os_.rdbuf(old_); }
  std::string str() const { return buf_.str(); }

 private:
  std::ostream& os_;
  std::ostringstream buf_;
  std::streambuf* old_;
};

bool same_weights(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].to_vector<float>() != b[i].to_vector<float>()) return false;
  }
  return true;
}

// Placed before the callback under test: overwrites logs[key] with a scripted value per epoch and
// records the weights each epoch ended with.
struct Script {
  std::shared_ptr<std::vector<std::vector<Tensor>>> weights = std::make_shared<std::vector<std::vector<Tensor>>>();
  callbacks::LambdaCallback callback(Model& model, std::string key, std::vector<double> values) const {
    auto w = weights;
    return callbacks::LambdaCallback({.on_epoch_end = [&model, w, key, values](int epoch, Logs& logs) {
      logs[key] = values.at(static_cast<size_t>(epoch));
      w->push_back(model.get_weights());
    }});
  }
};

struct Run {
  History history;
  std::vector<std::vector<Tensor>> weights;  // at each epoch's end
  std::vector<Tensor> final_weights;
};

Run run(callbacks::EarlyStopping es, const std::string& key, const std::vector<double>& values,
        std::vector<MetricArg> metrics = {}) {
  auto [x, y] = stopping_data(16);
  Sequential model = line_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse", .metrics = metrics});
  Script script;
  History h = model.fit(x, y, {.batch_size = 8, .epochs = static_cast<int>(values.size()), .verbose = 0,
                               .callbacks = {script.callback(model, key, values), es}});
  return {h, *script.weights, model.get_weights()};
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("EarlyStopping stops once the monitor has not improved for `patience` epochs and restores the best weights") {
  callbacks::EarlyStopping es({.patience = 2, .verbose = 1, .restore_best_weights = true});
  Capture out(std::cout);
  Run r = run(es, "val_loss", {1.0, 0.8, 0.5, 0.6, 0.55, 0.7, 0.4, 0.3});
  CHECK(r.history["loss"].size() == 5);  // epochs 0-4: no improvement at 3 and 4
  CHECK(es.stopped_epoch() == 4);
  CHECK(es.best_epoch() == 2);
  CHECK(es.best() == 0.5);
  REQUIRE(r.weights.size() == 5);
  CHECK(same_weights(r.final_weights, r.weights[2]));
  CHECK_FALSE(same_weights(r.final_weights, r.weights[4]));
  CHECK(out.str() == "Epoch 5: early stopping\nRestoring model weights from the end of the best epoch: 3.\n");
}

TEST_CASE("EarlyStopping keeps the last weights without restore_best_weights") {
  callbacks::EarlyStopping es({.patience = 2});
  Run r = run(es, "val_loss", {1.0, 0.8, 0.5, 0.6, 0.55, 0.7});
  CHECK(es.stopped_epoch() == 4);
  CHECK(same_weights(r.final_weights, r.weights.back()));
}

TEST_CASE("EarlyStopping restores the best weights when training ends without an early stop") {
  callbacks::EarlyStopping es({.patience = 10, .restore_best_weights = true});
  Run r = run(es, "val_loss", {3.0, 1.0, 2.0, 2.5});
  CHECK(r.history["loss"].size() == 4);
  CHECK(es.stopped_epoch() == 0);
  CHECK(same_weights(r.final_weights, r.weights[1]));
  CHECK_FALSE(same_weights(r.final_weights, r.weights[3]));
}

TEST_CASE("EarlyStopping counts a change smaller than min_delta as no improvement") {
  callbacks::EarlyStopping strict({.min_delta = 0.1, .patience = 1});
  run(strict, "val_loss", {1.0, 0.95, 0.9, 0.85});
  CHECK(strict.stopped_epoch() == 1);
  callbacks::EarlyStopping loose({.patience = 1});
  run(loose, "val_loss", {1.0, 0.95, 0.9, 0.85});
  CHECK(loose.stopped_epoch() == 0);
}

TEST_CASE("EarlyStopping in auto mode maximises an accuracy metric and minimises a loss") {
  const std::vector<double> values = {0.5, 0.7, 0.6, 0.65, 0.66, 0.67};
  callbacks::EarlyStopping acc({.monitor = "val_accuracy", .patience = 2});
  run(acc, "val_accuracy", values, {"accuracy"});
  CHECK(acc.stopped_epoch() == 3);  // best 0.7 at epoch 1
  CHECK(acc.best() == 0.7);
  callbacks::EarlyStopping as_loss({.monitor = "val_loss", .patience = 2});
  run(as_loss, "val_loss", values);
  CHECK(as_loss.stopped_epoch() == 2);  // best 0.5 at epoch 0
  callbacks::EarlyStopping max({.monitor = "val_score", .patience = 2, .mode = "max"});
  run(max, "val_score", values);
  CHECK(max.stopped_epoch() == 3);
}

TEST_CASE("EarlyStopping in auto mode rejects a monitor whose direction Keras cannot tell") {
  callbacks::EarlyStopping es({.monitor = "val_score"});
  CHECK_THROWS_WITH_AS(run(es, "val_score", {1.0, 2.0}),
                       doctest::Contains("EarlyStopping callback received monitor=val_score but Keras isn't able to "
                                         "automatically determine whether that metric should be maximized or minimized"),
                       ValueError);
}

TEST_CASE("EarlyStopping waits out its patience when nothing beats the baseline") {
  callbacks::EarlyStopping with({.patience = 2, .baseline = 0.5});
  run(with, "val_loss", {1.0, 1.1, 1.2, 1.3});
  CHECK(with.stopped_epoch() == 1);  // the first epoch's improvement over inf did not beat the baseline
  callbacks::EarlyStopping without({.patience = 2});
  run(without, "val_loss", {1.0, 1.1, 1.2, 1.3});
  CHECK(without.stopped_epoch() == 2);
}

TEST_CASE("EarlyStopping ignores the epochs before start_from_epoch") {
  callbacks::EarlyStopping es({.monitor = "loss_like", .patience = 1, .mode = "min", .start_from_epoch = 3});
  run(es, "loss_like", {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
  CHECK(es.stopped_epoch() == 4);
  CHECK(es.best_epoch() == 3);
}

TEST_CASE("EarlyStopping warns with Keras's text when the monitor is missing and never stops") {
  auto [x, y] = stopping_data(16);
  Sequential model = line_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  callbacks::EarlyStopping es({.patience = 0});
  Capture err(std::cerr);
  History h = model.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = {es}});
  CHECK(h["loss"].size() == 3);
  CHECK(err.str().find("Early stopping conditioned on metric `val_loss` which is not available. Available metrics "
                       "are: loss\n") != std::string::npos);
}

TEST_CASE("EarlyStopping monitors real validation loss in a fit") {
  // Validation targets the model cannot approach: val_loss rises as the fit to y = 2x - 1 improves.
  auto [x, y] = stopping_data(16);
  Sequential model = line_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  callbacks::EarlyStopping es({.patience = 1, .restore_best_weights = true});
  const std::vector<Tensor> initial = model.get_weights();
  History h = model.fit(x, y, {.batch_size = 8, .epochs = 20, .verbose = 0, .callbacks = {es},
                               .validation_data = {x, y * -1.f}});
  CHECK(h["loss"].size() < 20);
  CHECK(es.best_epoch() == 0);
  CHECK_FALSE(same_weights(model.get_weights(), initial));
}

}  // TEST_SUITE
