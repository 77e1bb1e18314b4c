#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;

namespace {

// Trains the model `make` builds on (x, y), eagerly or through keras::function, from the same seed.
struct Trained {
  std::vector<Tensor> weights;
  History history;
  Logs evaluation;
  Tensor predictions;
  int64_t traces = 0;
};

template <class Make>
Trained train(Make make, bool run_eagerly, const Tensor& x, const Tensor& y, const std::string& loss,
              int64_t steps_per_execution = 1, int64_t batch_size = 16) {
  utils::set_random_seed(11);
  Sequential model = make();
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}),
                 .loss = loss,
                 .metrics = {"accuracy"},
                 .run_eagerly = run_eagerly,
                 .steps_per_execution = steps_per_execution});
  Trained t;
  t.history = model.fit(x, y, {.batch_size = batch_size, .epochs = 2, .verbose = 0, .validation_split = 0.25});
  t.evaluation = model.evaluate(x, y, {.batch_size = 32, .verbose = 0});
  t.predictions = model.predict(x, {.batch_size = 32});
  for (const Variable& v : model.weights()) t.weights.push_back(v.value());
  if (!run_eagerly) t.traces = model.train_function().trace_count();
  return t;
}

void check_same(const Trained& eager, const Trained& graph) {
  REQUIRE(eager.weights.size() == graph.weights.size());
  for (size_t i = 0; i < eager.weights.size(); ++i) check_allclose(graph.weights[i], eager.weights[i], 1e-4, 1e-5);
  for (const auto& [key, values] : eager.history.history()) {
    REQUIRE(graph.history.history().count(key) == 1);
    for (size_t e = 0; e < values.size(); ++e) CHECK(graph.history.history().at(key)[e] == doctest::Approx(values[e]).epsilon(1e-4));
  }
  for (const auto& [key, value] : eager.evaluation) CHECK(graph.evaluation.at(key) == doctest::Approx(value).epsilon(1e-4));
  check_allclose(graph.predictions, eager.predictions, 1e-4, 1e-5);
}

// The batch indices each hook receives.
class BatchHooks : public callbacks::Callback {
 public:
  struct State {
    std::vector<int64_t> train_begin, train_end, test_begin, test_end, predict_begin, predict_end;
  };
  std::shared_ptr<State> state = std::make_shared<State>();
  void on_train_batch_begin(int64_t batch, Logs&) override { state->train_begin.push_back(batch); }
  void on_train_batch_end(int64_t batch, Logs&) override { state->train_end.push_back(batch); }
  void on_test_batch_begin(int64_t batch, Logs&) override { state->test_begin.push_back(batch); }
  void on_test_batch_end(int64_t batch, Logs&) override { state->test_end.push_back(batch); }
  void on_predict_batch_begin(int64_t batch, Logs&) override { state->predict_begin.push_back(batch); }
  void on_predict_batch_end(int64_t batch, Logs&) override { state->predict_end.push_back(batch); }
};

Sequential mlp_with_dropout() {
  return Sequential({Input({8}), layers::Dense(16, {.activation = "relu"}), layers::Dropout(0.3),
                     layers::Dense(2, {.activation = "softmax"})});
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("fit, evaluate and predict through keras::function match run_eagerly on an MLP with Dropout") {
  const Tensor x = random::normal({72, 8}, {.seed = 1});
  const Tensor y = ops::cast(ops::greater(ops::sum(x, 1), Tensor::scalar(0.f)), DType::int32);
  auto make = [] {
    return Sequential({Input({8}), layers::Dense(16, {.activation = "relu"}), layers::Dropout(0.3),
                       layers::Dense(2, {.activation = "softmax"})});
  };
  const Trained eager = train(make, true, x, y, "sparse_categorical_crossentropy");
  const Trained graph = train(make, false, x, y, "sparse_categorical_crossentropy");
  check_same(eager, graph);
  CHECK(graph.traces == 2);  // full batches of 16 and the last batch of 6 (54 training samples)
}

TEST_CASE("fit through keras::function matches run_eagerly on a small CNN with BatchNormalization and Dropout") {
  const Tensor x = random::uniform({40, 6, 6, 1}, {.seed = 2});
  const Tensor y = ops::cast(ops::greater(ops::mean(ops::reshape(x, {40, 36}), 1), Tensor::scalar(0.5f)), DType::int32);
  auto make = [] {
    return Sequential({Input({6, 6, 1}), layers::Conv2D(4, {3, 3}, {.activation = "relu"}),
                       layers::BatchNormalization(), layers::MaxPooling2D({2, 2}), layers::Flatten(),
                       layers::Dropout(0.2), layers::Dense(2, {.activation = "softmax"})});
  };
  const Trained eager = train(make, true, x, y, "sparse_categorical_crossentropy", 2);
  const Trained graph = train(make, false, x, y, "sparse_categorical_crossentropy", 2);
  check_same(eager, graph);
}

TEST_CASE("steps_per_execution = 4 runs four steps per traced call with the results of single steps") {
  const Tensor x = random::normal({72, 8}, {.seed = 1});
  const Tensor y = ops::cast(ops::greater(ops::sum(x, 1), Tensor::scalar(0.f)), DType::int32);
  // 54 training samples in batches of 8: executions of 4 steps, then 3 (the last batch has 6 samples).
  const Trained single = train(mlp_with_dropout, false, x, y, "sparse_categorical_crossentropy", 1, 8);
  const Trained grouped = train(mlp_with_dropout, false, x, y, "sparse_categorical_crossentropy", 4, 8);
  check_same(single, grouped);
  CHECK(grouped.traces == 2);  // (8, 8, 8, 8) and (8, 8, 6)
  const Trained eager = train(mlp_with_dropout, true, x, y, "sparse_categorical_crossentropy", 4, 8);
  check_same(eager, grouped);
}

TEST_CASE("one execution of steps_per_execution steps is one graph holding every step") {
  utils::set_random_seed(4);
  Sequential model = mlp_with_dropout();
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .steps_per_execution = 3});
  const Tensor x = random::normal({24, 8}, {.seed = 2});
  const Tensor y = ops::zeros({24}, DType::int32);
  BatchHooks hooks;
  model.fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0, .callbacks = {hooks}});
  Function& fn = model.train_function();
  CHECK(fn.trace_count() == 1);  // six batches of 4: two executions of 3 per epoch, one signature
  CHECK(fn.graph().count("apply_gradients[Adam]") == 3);
  CHECK(model.optimizer().iterations() == 12);
  CHECK(hooks.state->train_begin == std::vector<int64_t>{0, 3, 0, 3});
  CHECK(hooks.state->train_end == std::vector<int64_t>{2, 5, 2, 5});
  // evaluate and predict group their steps and hooks the same way; 10 samples in batches of 4: 4, 4, 2.
  const Tensor xs = ops::slice(x, {0, 0}, {10, 8});
  const Logs logs = model.evaluate(xs, ops::zeros({10}, DType::int32), {.batch_size = 4, .verbose = 0, .callbacks = {hooks}});
  CHECK(hooks.state->test_begin == std::vector<int64_t>{0});
  CHECK(hooks.state->test_end == std::vector<int64_t>{2});
  const Tensor predicted = model.predict(xs, {.batch_size = 4, .callbacks = {hooks}});
  CHECK(hooks.state->predict_begin == std::vector<int64_t>{0});
  CHECK(hooks.state->predict_end == std::vector<int64_t>{2});
  check_allclose(predicted, model.predict_on_batch({xs})[0], 1e-5, 1e-6);
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .run_eagerly = true});
  CHECK(model.evaluate(xs, ops::zeros({10}, DType::int32), {.batch_size = 4, .verbose = 0}).at("loss") ==
        doctest::Approx(logs.at("loss")).epsilon(1e-5));
}

TEST_CASE("a graph-mode train step is one traced graph that fuses and drops nodes") {
  utils::set_random_seed(3);
  Sequential model({Input({4}), layers::Dense(3, {.activation = "relu"}), layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  model.fit(ops::ones({8, 4}), ops::zeros({8, 1}), {.batch_size = 8, .epochs = 3, .verbose = 0});
  Function& fn = model.train_function();
  CHECK(fn.trace_count() == 1);
  CHECK(fn.graph().count("apply_gradients[SGD]") == 1);
  CHECK(fn.graph().count("read") >= 4);
  CHECK(fn.graph().str().find("matmul") != std::string::npos);
  Sequential eager_model({Input({4}), layers::Dense(3)});
  eager_model.compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = true});
  CHECK_THROWS_AS(eager_model.train_function(), ValueError);
}

TEST_CASE("a custom train_step that reads values on the host runs eagerly in fit") {
  class Custom : public Model {
   public:
    using Model::Model;
    Logs train_step(const Batch& data) override {
      Model::train_step(data);
      return {{"label_mean", ops::mean(data.y[0]).item<double>()}};
    }
  };
  KerasTensor in = Input({2});
  Custom model(in, layers::Dense(1)(in));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  History h = model.fit(ops::ones({4, 2}), ops::full({4, 1}, 3.f), {.batch_size = 2, .epochs = 1, .verbose = 0});
  CHECK(h["label_mean"].back() == doctest::Approx(3.0));
  // With several steps per execution every step still runs, eagerly, and the last one's logs stand.
  model.compile({.optimizer = "sgd", .loss = "mse", .steps_per_execution = 3});
  const Tensor y = ops::reshape(ops::cast(ops::arange(5), DType::float32), {5, 1});
  h = model.fit(ops::ones({5, 2}), y, {.batch_size = 1, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(h["label_mean"].back() == doctest::Approx(4.0));
  CHECK(model.optimizer().iterations() == 5);
}

}  // TEST_SUITE
