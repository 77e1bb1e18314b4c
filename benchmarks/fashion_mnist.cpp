// Fashion-MNIST benchmark, keras-cpp side: the 784-256(relu)-128(relu)-10 MLP of the Keras
// tutorials, or Keras's simple CNN (Conv2D 32 3x3 relu, MaxPooling2D 2, Conv2D 64 3x3 relu,
// MaxPooling2D 2, Flatten, Dense 128 relu, Dense 10), trained one epoch with fit (batch 128, Adam
// 1e-3), then predict and evaluate on the test set. benchmarks/fashion_mnist_torch.cpp runs the same
// workloads in libtorch and scripts/bench.sh compares the two. Threads: $OMP_NUM_THREADS, default 2.
// Usage: fashion_mnist [mlp|cnn|all] [graph|eager|both] (default mlp graph): graph is fit's default
// (steps traced by keras::function), eager is compile({.run_eagerly = true}).
#include <keras/benchmarks/fashion_mnist_common.h>
#include <keras/keras.h>

#include <omp.h>

#include <cstdio>
#include <string>
#include <vector>

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

void run(const std::string& name, const std::string& mode, const Tensor& train, const Tensor& y_train,
         const Tensor& test, const Tensor& y_test) {
  bench::reset_peak_rss();
  utils::set_random_seed(1);
  Sequential model = make_model(name);
  model.compile({.optimizer = optimizers::Adam({.learning_rate = bench::kLearningRate}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .run_eagerly = mode == "eager"});

  double start = bench::now();
  model.fit(train, y_train, {.batch_size = bench::kBatchSize, .epochs = 1, .verbose = 0});
  const double epoch_s = bench::now() - start;

  start = bench::now();
  const Tensor predicted = model.predict(test, {.batch_size = bench::kPredictBatchSize});
  const double infer_s = bench::now() - start;

  const Logs logs = model.evaluate(test, y_test, {.batch_size = bench::kPredictBatchSize, .verbose = 0});
  // print_result's fields with mode= after impl=, which this side alone has.
  std::printf("RESULT impl=keras-cpp mode=%s model=%s epoch_s=%.3f train_sps=%.0f infer_sps=%.0f test_acc=%.4f "
              "peak_rss_mb=%.1f\n",
              mode.c_str(), name.c_str(), epoch_s, static_cast<double>(train.shape()[0]) / epoch_s,
              static_cast<double>(predicted.shape()[0]) / infer_s, logs.at("accuracy"), bench::peak_rss_mb());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "mlp";
  const std::string mode = argc > 2 ? argv[2] : "graph";
  if ((which != "mlp" && which != "cnn" && which != "all") || (mode != "graph" && mode != "eager" && mode != "both")) {
    std::fprintf(stderr, "usage: %s [mlp|cnn|all] [graph|eager|both]\n", argv[0]);
    return 2;
  }
  const std::vector<std::string> modes = mode == "both" ? std::vector<std::string>{"eager", "graph"} : std::vector<std::string>{mode};
  omp_set_num_threads(bench::threads());
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  // Scaling and reshaping happen once, outside the timed part, as they do for the libtorch side.
  auto prepare = [](const Tensor& x, const Shape& shape) { return ops::reshape(x.astype(DType::float32) / 255.0, shape); };
  for (const std::string& m : modes) {
    if (which != "cnn") run("mlp", m, prepare(x_train, {-1, 784}), y_train, prepare(x_test, {-1, 784}), y_test);
    if (which != "mlp") {
      run("cnn", m, prepare(x_train, {-1, 28, 28, 1}), y_train, prepare(x_test, {-1, 28, 28, 1}), y_test);
    }
  }
  return 0;
}
