// Fashion-MNIST benchmark, keras-cpp side: the 784-256(relu)-128(relu)-10 MLP of the Keras
// tutorials, or Keras's simple CNN (Conv2D 32 3x3 relu, MaxPooling2D 2, Conv2D 64 3x3 relu,
// MaxPooling2D 2, Flatten, Dense 128 relu, Dense 10), trained one epoch with fit (batch 128, Adam
// 1e-3), then predict and evaluate on the test set. benchmarks/fashion_mnist_torch.cpp runs the same
// workloads in libtorch and scripts/bench.sh compares the two. Threads: $OMP_NUM_THREADS, default 2.
// Usage: fashion_mnist [mlp|cnn|all] [--mode graph|eager|both] [--dtype-policy P] [--device cpu|cuda:N]
//                      [--batch-size N] [--data DIR]
// Defaults: mlp, graph (fit's default: steps traced by keras::function; eager is
// compile({.run_eagerly = true})), float32, the CPU, batch 128, Debian's
// /usr/share/datasets/fashion-mnist. A policy other than float32 (mixed_bfloat16, ...) is set
// globally before the model is built. Each run prints
//   RESULT impl=keras-cpp mode=M model=N [policy=P] epoch_s=... (scripts/bench.sh's line)
// or, with --device or --batch-size, benchmarks/fashion_mnist_pytorch.py's line
//   RESULT impl=keras-cpp device=D model=N batch=B mode=M train_sps=... infer_sps=...
// after one epoch timed behind a warm-up of a few batches (cuDNN and cuBLASLt pick their algorithms,
// graph mode traces, then).
#include <keras/benchmarks/fashion_mnist_common.h>
#include <keras/keras.h>

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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

struct Run {
  std::string model;
  std::string mode;    // graph or eager
  std::string policy;  // float32, mixed_bfloat16, ...
  Device device;
  int batch = bench::kBatchSize;
  bool device_line = false;  // fashion_mnist_pytorch.py's line (after a warm-up) instead of bench.sh's
};

Tensor head(const Tensor& t, int64_t n) {
  std::vector<int64_t> shape = t.shape().dims();
  shape[0] = std::min(shape[0], n);
  return ops::slice(t, std::vector<int64_t>(shape.size(), 0), shape);
}

void run(const Run& r, const Tensor& train, const Tensor& y_train, const Tensor& test, const Tensor& y_test) {
  bench::reset_peak_rss();
  utils::set_random_seed(1);
  Sequential model = make_model(r.model);
  if (!r.device.is_cpu()) model.to(r.device);
  model.compile({.optimizer = optimizers::Adam({.learning_rate = bench::kLearningRate}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .run_eagerly = r.mode == "eager"});
  const int predict_batch = r.device_line ? r.batch : bench::kPredictBatchSize;
  if (r.device_line) {
    // Warm-up on a few batches, so that the timed epoch sees chosen algorithms and a traced step.
    model.fit(head(train, int64_t{10} * r.batch), head(y_train, int64_t{10} * r.batch),
              {.batch_size = r.batch, .epochs = 1, .verbose = 0});
  }
  double start = bench::now();
  model.fit(train, y_train, {.batch_size = r.batch, .epochs = 1, .verbose = 0});
  const double epoch_s = bench::now() - start;

  start = bench::now();
  const Tensor predicted = model.predict(test, {.batch_size = predict_batch}).to(Device::cpu());
  const double infer_s = bench::now() - start;

  const Logs logs = model.evaluate(test, y_test, {.batch_size = predict_batch, .verbose = 0});
  if (r.device_line) {
    bench::print_device_result("keras-cpp", r.device.is_cpu() ? "cpu" : "cuda", r.model, r.batch,
                               static_cast<double>(train.shape()[0]) / epoch_s,
                               static_cast<double>(predicted.shape()[0]) / infer_s, logs.at("accuracy"), r.mode);
    return;
  }
  bench::print_result({.impl = "keras-cpp",
                       .epoch_s = epoch_s,
                       .train_samples = static_cast<double>(train.shape()[0]),
                       .infer_s = infer_s,
                       .infer_samples = static_cast<double>(predicted.shape()[0]),
                       .test_acc = logs.at("accuracy"),
                       .model = r.model,
                       .mode = r.mode,
                       .policy = r.policy == "float32" ? "" : r.policy});
}

int usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [mlp|cnn|all] [--mode graph|eager|both] [--dtype-policy float32|mixed_bfloat16|...]\n"
               "          [--device cpu|cuda:N] [--batch-size N] [--data DIR]\n",
               program);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "mlp", mode = "graph", policy = "float32", device_spec;
  int batch = bench::kBatchSize;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "mlp" || arg == "cnn" || arg == "all") {
      which = arg;
    } else if (arg == "--mode" && has_value) {
      mode = argv[++i];
    } else if (arg == "--dtype-policy" && has_value) {
      policy = argv[++i];
    } else if (arg == "--device" && has_value) {
      device_spec = argv[++i];
    } else if (arg == "--batch-size" && has_value) {
      batch = std::atoi(argv[++i]);
    } else if (arg == "--data" && has_value) {
      setenv("KERAS_FASHION_MNIST_DIR", argv[++i], 1);
    } else {
      return usage(argv[0]);
    }
  }
  if (mode != "graph" && mode != "eager" && mode != "both") return usage(argv[0]);
  if (batch <= 0) {
    std::fprintf(stderr, "%s: --batch-size must be positive\n", argv[0]);
    return 2;
  }
  Device device;
  try {
    config::set_dtype_policy(policy);
    if (!device_spec.empty()) device = Device(device_spec);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  omp_set_num_threads(bench::threads());
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  // Scaling and reshaping happen once, outside the timed part, as they do for the libtorch side.
  auto prepare = [](const Tensor& x, const Shape& shape) { return ops::reshape(x.astype(DType::float32) / 255.0, shape); };
  const std::vector<std::string> modes =
      mode == "both" ? std::vector<std::string>{"eager", "graph"} : std::vector<std::string>{mode};
  for (const std::string name : {"mlp", "cnn"}) {
    if (which != "all" && which != name) continue;
    const Shape shape = name == "mlp" ? Shape{-1, 784} : Shape{-1, 28, 28, 1};
    const Tensor train = prepare(x_train, shape), test = prepare(x_test, shape);
    for (const std::string& m : modes) {
      run({.model = name,
           .mode = m,
           .policy = policy,
           .device = device,
           .batch = batch,
           .device_line = !device_spec.empty() || batch != bench::kBatchSize},
          train, y_train, test, y_test);
    }
  }
  return 0;
}
