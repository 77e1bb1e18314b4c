// Fashion-MNIST benchmark, keras-cpp side: the 784-256(relu)-128(relu)-10 MLP of the Keras
// tutorials, or Keras's simple CNN (Conv2D 32 3x3 relu, MaxPooling2D 2, Conv2D 64 3x3 relu,
// MaxPooling2D 2, Flatten, Dense 128 relu, Dense 10), trained one epoch with fit (batch 128, Adam
// 1e-3), then predict and evaluate on the test set. benchmarks/fashion_mnist_torch.cpp runs the same
// workloads in libtorch and scripts/bench.sh compares the two. Threads: $OMP_NUM_THREADS, default 2.
// Usage: fashion_mnist [mlp|cnn|all] [--dtype-policy float32|mixed_bfloat16|...] (default mlp, float32).
// A policy other than float32 is set globally (keras::config::set_dtype_policy) before the model is
// built, and its RESULT line gains a policy= field after model=.
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

void run(const std::string& name, const Tensor& train, const Tensor& y_train, const Tensor& test, const Tensor& y_test,
         const std::string& policy) {
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
  const bench::Result result{"keras-cpp", epoch_s, static_cast<double>(train.shape()[0]), infer_s,
                             static_cast<double>(predicted.shape()[0]), logs.at("accuracy"), name};
  if (policy == "float32") {
    bench::print_result(result);
    return;
  }
  std::printf("RESULT impl=%s model=%s policy=%s epoch_s=%.3f train_sps=%.0f infer_sps=%.0f test_acc=%.4f "
              "peak_rss_mb=%.1f\n",
              result.impl.c_str(), result.model.c_str(), policy.c_str(), result.epoch_s,
              result.train_samples / result.epoch_s, result.infer_samples / result.infer_s, result.test_acc,
              bench::peak_rss_mb());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "mlp";
  std::string policy = "float32";
  bool usage_error = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--dtype-policy" && i + 1 < argc) {
      policy = argv[++i];
    } else if (arg.rfind("--dtype-policy=", 0) == 0) {
      policy = arg.substr(15);
    } else if (arg == "mlp" || arg == "cnn" || arg == "all") {
      which = arg;
    } else {
      usage_error = true;
    }
  }
  if (usage_error) {
    std::fprintf(stderr, "usage: %s [mlp|cnn|all] [--dtype-policy float32|mixed_bfloat16|mixed_float16|...]\n", argv[0]);
    return 2;
  }
  try {
    config::set_dtype_policy(policy);
  } catch (const ValueError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  omp_set_num_threads(bench::threads());
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  // Scaling and reshaping happen once, outside the timed part, as they do for the libtorch side.
  auto prepare = [](const Tensor& x, const Shape& shape) { return ops::reshape(x.astype(DType::float32) / 255.0, shape); };
  if (which != "cnn") {
    run("mlp", prepare(x_train, {-1, 784}), y_train, prepare(x_test, {-1, 784}), y_test, policy);
  }
  if (which != "mlp") {
    run("cnn", prepare(x_train, {-1, 28, 28, 1}), y_train, prepare(x_test, {-1, 28, 28, 1}), y_test, policy);
  }
  return 0;
}
