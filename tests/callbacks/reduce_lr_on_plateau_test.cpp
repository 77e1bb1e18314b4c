#include <keras/keras.h>

#include <doctest/doctest.h>

#include <iostream>
#include <sstream>

using namespace keras;

namespace {

std::pair<Tensor, Tensor> plateau_data(int64_t n) {
  Tensor x = random::uniform({n, 1}, {.minval = -1.0, .maxval = 1.0, .seed = 3});
  return {x, x * 2.f - 1.f};
}

class PlateauCapture {
 public:
  explicit PlateauCapture(std::ostream& os) : os_(os), old_(os.rdbuf(buf_.rdbuf())) {}
  ~PlateauCapture() { os_.rdbuf(old_); }
  std::string str() const { return buf_.str(); }

 private:
  std::ostream& os_;
  std::ostringstream buf_;
  std::streambuf* old_;
};

// Fits with SGD(learning_rate) while a callback placed first scripts logs[key] per epoch; returns the
// history and the learning rate the optimizer ended with.
std::pair<History, double> run(callbacks::ReduceLROnPlateau cb, const std::string& key, const std::vector<double>& values,
                               double learning_rate = 0.1) {
  auto [x, y] = plateau_data(16);
  Sequential model({Input({1}), layers::Dense(1)});
  model.compile({.optimizer = optimizers::SGD({.learning_rate = learning_rate}), .loss = "mse"});
  callbacks::LambdaCallback script(
      {.on_epoch_end = [values, key](int epoch, Logs& logs) { logs[key] = values.at(static_cast<size_t>(epoch)); }});
  History h = model.fit(x, y, {.batch_size = 8, .epochs = static_cast<int>(values.size()), .verbose = 0,
                               .callbacks = {script, cb}});
  return {h, model.optimizer().learning_rate()};
}

std::vector<double> approx(const std::vector<double>& v) {
  std::vector<double> out;
  for (double d : v) out.push_back(static_cast<double>(static_cast<float>(d)));  // the rate is a float32
  return out;
}

void check_rates(const std::vector<double>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == doctest::Approx(expected[i]).epsilon(1e-6));
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("ReduceLROnPlateau multiplies the learning rate by factor after `patience` epochs without improvement") {
  callbacks::ReduceLROnPlateau cb({.factor = 0.5, .patience = 2, .verbose = 1});
  PlateauCapture out(std::cout);
  auto [h, lr] = run(cb, "val_loss", {1, 1, 1, 1, 1, 1});
  // Logged at each epoch's end before any reduction, as Keras does.
  check_rates(h["learning_rate"], approx({0.1, 0.1, 0.1, 0.05, 0.05, 0.025}));
  CHECK(lr == doctest::Approx(0.025).epsilon(1e-6));
  CHECK(out.str().find("\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.05") == 0);
  CHECK(out.str().find("\nEpoch 5: ReduceLROnPlateau reducing learning rate to 0.025") != std::string::npos);
}

TEST_CASE("ReduceLROnPlateau keeps the learning rate while the monitor improves by more than min_delta") {
  callbacks::ReduceLROnPlateau cb({.patience = 1});
  auto [h, lr] = run(cb, "val_loss", {1.0, 0.9, 0.8, 0.7});
  CHECK(lr == doctest::Approx(0.1).epsilon(1e-6));
  callbacks::ReduceLROnPlateau tiny_steps({.patience = 1, .min_delta = 0.2});
  auto [h2, lr2] = run(tiny_steps, "val_loss", {1.0, 0.9, 0.8, 0.7});
  CHECK(lr2 < 0.05);
}

TEST_CASE("ReduceLROnPlateau waits out its cooldown and never goes below min_lr") {
  callbacks::ReduceLROnPlateau cb({.factor = 0.1, .patience = 1, .cooldown = 2, .min_lr = 0.005});
  auto [h, lr] = run(cb, "val_loss", {1, 1, 1, 1, 1, 1, 1});
  // Reduced at epoch 1 (to 0.01), cooldown through epochs 2-3, reduced at 3 to max(0.001, min_lr).
  check_rates(h["learning_rate"], approx({0.1, 0.1, 0.01, 0.01, 0.005, 0.005, 0.005}));
  CHECK(lr == doctest::Approx(0.005).epsilon(1e-6));
}

TEST_CASE("ReduceLROnPlateau in auto mode maximises monitors named like accuracy") {
  callbacks::ReduceLROnPlateau cb({.monitor = "val_acc", .patience = 1});
  auto [h, lr] = run(cb, "val_acc", {0.1, 0.2, 0.3, 0.4});
  CHECK(lr == doctest::Approx(0.1).epsilon(1e-6));
  callbacks::ReduceLROnPlateau as_min({.monitor = "val_acc", .patience = 1, .mode = "min"});
  auto [h2, lr2] = run(as_min, "val_acc", {0.1, 0.2, 0.3, 0.4});
  CHECK(lr2 < 0.05);
}

TEST_CASE("ReduceLROnPlateau warns when the monitor is missing and rejects a factor >= 1") {
  callbacks::ReduceLROnPlateau cb({.patience = 0});
  PlateauCapture err(std::cerr);
  auto [h, lr] = run(cb, "other", {1, 1});
  CHECK(lr == doctest::Approx(0.1).epsilon(1e-6));
  CHECK(err.str().find("Learning rate reduction is conditioned on metric `val_loss` which is not available. Available "
                       "metrics are: learning_rate,loss,other.") != std::string::npos);
  CHECK_THROWS_WITH_AS(callbacks::ReduceLROnPlateau({.factor = 1.0}),
                       "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1.0", ValueError);
}

}  // TEST_SUITE
