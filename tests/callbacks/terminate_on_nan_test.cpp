#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cmath>
#include <iostream>
#include <sstream>

using namespace keras;

namespace {

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

struct Result {
  History history;
  int64_t batches = 0;
};

// 12 samples in batches of 4; the second batch holds `bad` as its first x (a NaN x gives a NaN
// loss, a huge y an infinite one).
Result run(const std::vector<CallbackArg>& extra, float bad_x, float bad_y) {
  std::vector<float> xv(12, 0.5f), yv(12, 0.f);
  xv[4] = bad_x;
  yv[4] = bad_y;
  Tensor x = Tensor::from_vector(xv, {12, 1}), y = Tensor::from_vector(yv, {12, 1});
  Sequential model({Input({1}), layers::Dense(1, {.kernel_initializer = "zeros"})});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  auto batches = std::make_shared<int64_t>(0);
  std::vector<CallbackArg> cbs = {callbacks::LambdaCallback({.on_train_batch_end = [batches](int64_t, Logs&) { ++*batches; }})};
  cbs.insert(cbs.end(), extra.begin(), extra.end());
  History h = model.fit(x, y, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = cbs, .shuffle = false});
  return {h, *batches};
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("TerminateOnNaN stops training after the batch whose loss is NaN") {
  const float nan = std::nanf("");
  Result without = run({}, nan, 0.f);
  CHECK(without.batches == 9);
  Capture out(std::cout);
  Result with = run({callbacks::TerminateOnNaN()}, nan, 0.f);
  CHECK(with.batches == 2);
  CHECK(with.history["loss"].size() == 1);
  CHECK(std::isnan(with.history["loss"][0]));
  CHECK(out.str() == "Batch 1: Invalid loss, terminating training\n");
}

TEST_CASE("TerminateOnNaN stops on an infinite loss too, and raise_error throws instead") {
  Capture out(std::cout);
  CHECK(run({callbacks::TerminateOnNaN()}, 0.5f, 1e30f).batches == 2);
  CHECK_THROWS_WITH_AS(run({callbacks::TerminateOnNaN({.raise_error = true})}, std::nanf(""), 0.f),
                       "NaN or Inf loss encountered at batch 1. Loss value: nan. Terminating training immediately.",
                       RuntimeError);
}

}  // TEST_SUITE
