// Fashion-MNIST benchmark, keras-cpp side: the 784-256(relu)-128(relu)-10 MLP of the Keras
// tutorials, or Keras's simple CNN (Conv2D 32 3x3 relu, MaxPooling2D 2, Conv2D 64 3x3 relu,
// MaxPooling2D 2, Flatten, Dense 128 relu, Dense 10), trained one epoch with fit (batch 128, Adam
// 1e-3), then predict and evaluate on the test set. benchmarks/fashion_mnist_torch.cpp runs the same
// workloads in libtorch and scripts/bench.sh compares the two. Threads: $OMP_NUM_THREADS, default 2.
// Usage: fashion_mnist [mlp|cnn|all] (default mlp).
#include <keras/benchmarks/fashion_mnist_common.h>
#include <keras/keras.h>

#include <omp.h>

#include <cstdio>
#include <string>

using namespace keras;

namespace {

Sequential make_model(const std::string& name) {
  if (name == "mlp") {
    return Sequential({Input({784}),
                       layers::Dense(256, {.activation = "relu"}),
                       layers::Dense(128, {.activation = "relu"}),
                       layers::Dense(10, {.activation = "softmax"})});
  }
  return Sequential({Input({28, 28, 1}),
                     layers::Conv2D(32, {3, 3}, {.activation = "relu"}),
                     layers::MaxPooling2D({2, 2}),
                     layers::Conv2D(64, {3, 3}, {.activation = "relu"}),
                     layers::MaxPooling2D({2, 2}),
                     layers::Flatten(),
                     layers::Dense(128, {.activation = "relu"}),
                     layers::Dense(10, {.activation = "softmax"})});
}

void run(const std::string& name, const Tensor& train, const Tensor& y_train, const Tensor& test, const Tensor& y_test) {
  bench::reset_peak_rss();
  utils::set_random_seed(1);
  Sequential model = make_model(name);
  model.compile({.optimizer = optimizers::Adam({.learning_rate = bench::kLearningRate}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});

  double start = bench::now();
  model.fit(train, y_train, {.batch_size = bench::kBatchSize, .epochs = 1, .verbose = 0});
  const double epoch_s = bench::now() - start;

  start = bench::now();
  const Tensor predicted = model.predict(test, {.batch_size = bench::kPredictBatchSize});
  const double infer_s = bench::now() - start;

  const Logs logs = model.evaluate(test, y_test, {.batch_size = bench::kPredictBatchSize, .verbose = 0});
  bench::print_result({"keras-cpp", epoch_s, static_cast<double>(train.shape()[0]), infer_s,
                       static_cast<double>(predicted.shape()[0]), logs.at("accuracy"), name});
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "mlp";
  if (which != "mlp" && which != "cnn" && which != "all") {
    std::fprintf(stderr, "usage: %s [mlp|cnn|all]\n", argv[0]);
    return 2;
  }
  omp_set_num_threads(bench::threads());
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  // Scaling and reshaping happen once, outside the timed part, as they do for the libtorch side.
  auto prepare = [](const Tensor& x, const Shape& shape) { return ops::reshape(x.astype(DType::float32) / 255.0, shape); };
  if (which != "cnn") {
    run("mlp", prepare(x_train, {-1, 784}), y_train, prepare(x_test, {-1, 784}), y_test);
  }
  if (which != "mlp") {
    run("cnn", prepare(x_train, {-1, 28, 28, 1}), y_train, prepare(x_test, {-1, 28, 28, 1}), y_test);
  }
  return 0;
}
