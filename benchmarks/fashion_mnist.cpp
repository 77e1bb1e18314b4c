// Fashion-MNIST benchmark, keras-cpp side: the 784-256(relu)-128(relu)-10 MLP of the Keras
// tutorials, or Keras's simple CNN (Conv2D 32 3x3 relu, MaxPooling2D 2, Conv2D 64 3x3 relu,
// MaxPooling2D 2, Flatten, Dense 128 relu, Dense 10), trained one epoch with fit (batch 128, Adam
// 1e-3), then predict and evaluate on the test set. benchmarks/fashion_mnist_torch.cpp runs the same
// workloads in libtorch and scripts/bench.sh compares the two. Threads: $OMP_NUM_THREADS, default 2.
// Usage: fashion_mnist [mlp|cnn|all] [--device cpu|cuda:N] [--batch-size N] [--data DIR]
// (default mlp on the CPU at batch 128; DIR holds the IDX files, default Debian's
// /usr/share/datasets/fashion-mnist). With --device cuda:N the model moves to the GPU, one epoch is
// timed after a warm-up of a few batches (cuDNN and cuBLASLt pick their algorithms then), and the
// line printed is benchmarks/fashion_mnist_pytorch.py's: RESULT impl=keras-cpp device=cuda ...
#include <keras/benchmarks/fashion_mnist_common.h>
#include <keras/keras.h>

#include <omp.h>

#include <cstdio>
#include <algorithm>
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

// Model::to(Device) where this build has it (the CUDA core adds it); a CPU run needs none.
template <class M>
void move_to(M& model, const Device& device) {
  if constexpr (requires { model.to(device); }) {
    model.to(device);
  } else if (!device.is_cpu()) {
    throw NotImplementedError("fashion_mnist: this build's Model cannot move to " + device.str());
  }
}

void run_on_device(const std::string& name, const Device& device, int batch, const Tensor& train, const Tensor& y_train,
                   const Tensor& test, const Tensor& y_test) {
  utils::set_random_seed(1);
  Sequential model = make_model(name);
  move_to(model, device);
  model.compile({.optimizer = optimizers::Adam({.learning_rate = bench::kLearningRate}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  // Warm-up: a few batches, so that the timed epoch sees cached algorithms and allocator blocks.
  const int64_t warm = std::min<int64_t>(train.shape()[0], int64_t{10} * batch);
  auto head = [warm](const Tensor& t) {
    std::vector<int64_t> shape = t.shape().dims();
    shape[0] = warm;
    return ops::slice(t, std::vector<int64_t>(shape.size(), 0), shape);
  };
  model.fit(head(train), head(y_train), {.batch_size = batch, .epochs = 1, .verbose = 0});
  double start = bench::now();
  model.fit(train, y_train, {.batch_size = batch, .epochs = 1, .verbose = 0});
  const double epoch_s = bench::now() - start;
  start = bench::now();
  const Tensor predicted = model.predict(test, {.batch_size = batch}).to(Device::cpu());
  const double infer_s = bench::now() - start;
  const Logs logs = model.evaluate(test, y_test, {.batch_size = batch, .verbose = 0});
  bench::print_device_result("keras-cpp", device.is_cpu() ? "cpu" : "cuda", name, batch,
                             static_cast<double>(train.shape()[0]) / epoch_s,
                             static_cast<double>(predicted.shape()[0]) / infer_s, logs.at("accuracy"));
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
  std::string which = "mlp";
  std::string device_spec;
  int batch = bench::kBatchSize;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--device" || arg == "--batch-size" || arg == "--data") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "--device") device_spec = value;
      else if (arg == "--batch-size") batch = std::atoi(value.c_str());
      else setenv("KERAS_FASHION_MNIST_DIR", value.c_str(), 1);
    } else if (arg == "mlp" || arg == "cnn" || arg == "all") {
      which = arg;
    } else {
      std::fprintf(stderr, "usage: %s [mlp|cnn|all] [--device cpu|cuda:N] [--batch-size N] [--data DIR]\n", argv[0]);
      return 2;
    }
  }
  if (batch <= 0) {
    std::fprintf(stderr, "%s: --batch-size must be positive\n", argv[0]);
    return 2;
  }
  omp_set_num_threads(bench::threads());
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  // Scaling and reshaping happen once, outside the timed part, as they do for the libtorch side.
  auto prepare = [](const Tensor& x, const Shape& shape) { return ops::reshape(x.astype(DType::float32) / 255.0, shape); };
  for (const std::string name : {"mlp", "cnn"}) {
    if (which != "all" && which != name) continue;
    const Shape shape = name == "mlp" ? Shape{-1, 784} : Shape{-1, 28, 28, 1};
    const Tensor train = prepare(x_train, shape), test = prepare(x_test, shape);
    if (device_spec.empty()) {
      if (batch != bench::kBatchSize) {
        run_on_device(name, Device::cpu(), batch, train, y_train, test, y_test);
      } else {
        run(name, train, y_train, test, y_test);
      }
    } else {
      run_on_device(name, Device(device_spec), batch, train, y_train, test, y_test);
    }
  }
  return 0;
}
