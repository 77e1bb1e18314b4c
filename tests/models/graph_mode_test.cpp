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
              int64_t steps_per_execution = 1) {
  utils::set_random_seed(11);
  Sequential model = make();
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}),
                 .loss = loss,
                 .metrics = {"accuracy"},
                 .run_eagerly = run_eagerly,
                 .steps_per_execution = steps_per_execution});
  Trained t;
  t.history = model.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .validation_split = 0.25});
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
}

}  // TEST_SUITE
