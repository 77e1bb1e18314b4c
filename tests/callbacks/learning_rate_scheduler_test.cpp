#include <keras/keras.h>

#include <doctest/doctest.h>

#include <iostream>
#include <sstream>

using namespace keras;

namespace {

std::pair<Tensor, Tensor> schedule_data(int64_t n) {
  Tensor x = random::uniform({n, 1}, {.minval = -1.0, .maxval = 1.0, .seed = 3});
  return {x, x * 2.f - 1.f};
}

class ScheduleCapture {
 public:
  explicit ScheduleCapture(std::ostream& os) : os_(os), old_(os.rdbuf(buf_.rdbuf())) {}
  ~ScheduleCapture() { os_.rdbuf(old_); }
  std::string str() const { return buf_.str(); }

 private:
  std::ostream& os_;
  std::ostringstream buf_;
  std::streambuf* old_;
};

}  // namespace

TEST_SUITE("training") {

TEST_CASE("LearningRateScheduler sets schedule(epoch, lr) at each epoch's start and logs it") {
  auto [x, y] = schedule_data(16);
  Sequential model({Input({1}), layers::Dense(1)});
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  auto calls = std::make_shared<std::vector<std::pair<int, double>>>();
  callbacks::LearningRateScheduler scheduler([calls](int epoch, double lr) {
    calls->emplace_back(epoch, lr);
    return epoch < 2 ? lr : lr * 0.5;
  });
  auto seen = std::make_shared<std::vector<double>>();
  callbacks::LambdaCallback probe(
      {.on_train_batch_begin = [&model, seen](int64_t batch, Logs&) {
        if (batch == 0) seen->push_back(model.optimizer().learning_rate());
      }});
  History h = model.fit(x, y, {.batch_size = 8, .epochs = 4, .verbose = 0, .callbacks = {scheduler, probe}});
  const std::vector<double> expected = {0.1, 0.1, 0.05, 0.025};
  REQUIRE(seen->size() == 4);
  REQUIRE(h["learning_rate"].size() == 4);
  REQUIRE(calls->size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK((*seen)[i] == doctest::Approx(expected[i]).epsilon(1e-6));
    CHECK(h["learning_rate"][i] == doctest::Approx(expected[i]).epsilon(1e-6));
    CHECK((*calls)[i].first == static_cast<int>(i));
    CHECK((*calls)[i].second == doctest::Approx(i == 0 ? 0.1 : expected[i - 1]).epsilon(1e-6));
  }
}

TEST_CASE("LearningRateScheduler's rate is the one the optimizer trains with") {
  auto [x, y] = schedule_data(16);
  Sequential model({Input({1}), layers::Dense(1)});
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  const std::vector<Tensor> before = model.get_weights();
  callbacks::LearningRateScheduler frozen([](int, double) { return 0.0; }, {.verbose = 1});
  ScheduleCapture out(std::cout);
  model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .callbacks = {frozen}});
  const std::vector<Tensor> after = model.get_weights();
  for (size_t i = 0; i < before.size(); ++i) CHECK(before[i].to_vector<float>() == after[i].to_vector<float>());
  CHECK(out.str() == "\nEpoch 1: LearningRateScheduler setting learning rate to 0.0.\n"
                     "\nEpoch 2: LearningRateScheduler setting learning rate to 0.0.\n");
}

TEST_CASE("LearningRateScheduler prints the schedule's value as Python does") {
  auto [x, y] = schedule_data(8);
  Sequential model({Input({1}), layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  callbacks::LearningRateScheduler scheduler([](int epoch, double) { return epoch == 0 ? 0.1 : 1e-05; },
                                             {.verbose = 1});
  ScheduleCapture out(std::cout);
  model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .callbacks = {scheduler}});
  CHECK(out.str() == "\nEpoch 1: LearningRateScheduler setting learning rate to 0.1.\n"
                     "\nEpoch 2: LearningRateScheduler setting learning rate to 1e-05.\n");
}

}  // TEST_SUITE
