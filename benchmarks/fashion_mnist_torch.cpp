// Fashion-MNIST benchmark, libtorch side: the MLP workload of benchmarks/fashion_mnist.cpp written
// the way a PyTorch user writes it (nn::Linear with PyTorch's default init, Adam 1e-3,
// CrossEntropyLoss on logits, shuffled batches of 128, one epoch), on the same data, loaded by
// keras-cpp's loader. It also tracks the epoch's loss and accuracy, the work fit does for its logs.
// `cnn` runs the small convolutional network instead (or `all` both, each reporting its own peak RSS).
// Prints which BLAS libtorch ran on: Debian's libtorch takes whichever libblas.so.3 the
// alternatives system points at, and the reference BLAS is about 20 times slower than OpenBLAS.
#include <keras/benchmarks/fashion_mnist_common.h>
#include <keras/data/dataset.h>

#include <dlfcn.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>

namespace {

// The BLAS and LAPACK libraries mapped into this process, as files (alternatives resolved).
std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> found;
  for (std::string line; std::getline(maps, line);) {
    const size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const std::string file = path.substr(path.rfind('/') + 1);
    if (file.find("blas") != std::string::npos || file.find("lapack") != std::string::npos ||
        file.find("mkl") != std::string::npos) {
      found.insert(path);
    }
  }
  std::string joined;
  for (const std::string& path : found) joined += (joined.empty() ? "" : ",") + path;
  return joined.empty() ? "none" : joined;
}

// OpenBLAS's own account of itself (build options and the kernel set it picked), when it is loaded.
std::string openblas_config() {
  using Fn = char* (*)();
  auto config = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  auto core = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!config) return "not OpenBLAS";
  return std::string(config()) + " core=" + (core ? core() : "?");
}

// keras-cpp's uint8 (N, 28, 28) images as float32 (N, 784) in [0, 1]; labels as int64.
torch::Tensor images(const keras::Tensor& x) {
  const int64_t n = x.shape()[0];
  auto bytes = torch::from_blob(const_cast<uint8_t*>(x.data<uint8_t>()), {n, 784}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div_(255.0);
}

torch::Tensor labels(const keras::Tensor& y) {
  return torch::from_blob(const_cast<uint8_t*>(y.data<uint8_t>()), {y.shape()[0]}, torch::kUInt8).to(torch::kInt64);
}

// The MLP of benchmarks/fashion_mnist.cpp, or the small CNN of the Keras examples: Conv2D 32 3x3 relu,
// MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu, Dense 10 (logits).
torch::nn::Sequential make_model(const std::string& name) {
  namespace nn = torch::nn;
  if (name == "mlp") {
    return nn::Sequential(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(), nn::Linear(128, 10));
  }
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 3)), nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                        nn::Conv2d(nn::Conv2dOptions(32, 64, 3)), nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                        nn::Flatten(), nn::Linear(64 * 5 * 5, 128), nn::ReLU(), nn::Linear(128, 10));
}

// One epoch of training, then prediction on the test set; prints the model's TRAIN and RESULT lines.
// Images are (N, 784) for the MLP and (N, 1, 28, 28) for the CNN.
void run(const std::string& name, const torch::Tensor& x_train, const torch::Tensor& y_train,
         const torch::Tensor& x_test, const torch::Tensor& y_test) {
  bench::reset_peak_rss();
  torch::manual_seed(1);
  torch::nn::Sequential model = make_model(name);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(bench::kLearningRate));
  torch::nn::CrossEntropyLoss loss_fn;

  const int64_t n = x_train.size(0);
  double start = bench::now();
  model->train();
  const torch::Tensor order = torch::randperm(n, torch::kInt64);
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < n; begin += bench::kBatchSize) {
    const torch::Tensor index = order.slice(0, begin, std::min(begin + bench::kBatchSize, n));
    const torch::Tensor x = x_train.index_select(0, index), y = y_train.index_select(0, index);
    optimizer.zero_grad();
    const torch::Tensor logits = model->forward(x);
    const torch::Tensor loss = loss_fn(logits, y);
    loss.backward();
    optimizer.step();
    loss_sum += loss.item<double>() * static_cast<double>(x.size(0));
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  const double epoch_s = bench::now() - start;

  model->eval();
  torch::InferenceMode inference;
  start = bench::now();
  std::vector<torch::Tensor> outputs;
  for (int64_t begin = 0; begin < x_test.size(0); begin += bench::kPredictBatchSize) {
    outputs.push_back(torch::softmax(model->forward(x_test.slice(0, begin, begin + bench::kPredictBatchSize)), 1));
  }
  const torch::Tensor predicted = torch::cat(outputs);
  const double infer_s = bench::now() - start;
  const double test_acc = predicted.argmax(1).eq(y_test).to(torch::kFloat64).mean().item<double>();

  std::printf("TRAIN impl=libtorch model=%s loss=%.4f accuracy=%.4f\n", name.c_str(), loss_sum / static_cast<double>(n),
              static_cast<double>(correct) / static_cast<double>(n));
  bench::print_result({"libtorch", epoch_s, static_cast<double>(n), infer_s, static_cast<double>(predicted.size(0)),
                       test_acc, name});
}

}  // namespace

// Usage: fashion_mnist_torch [mlp|cnn|all] (default mlp, the workload scripts/bench.sh compares).
int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "mlp";
  if (which != "mlp" && which != "cnn" && which != "all") {
    std::fprintf(stderr, "usage: %s [mlp|cnn|all]\n", argv[0]);
    return 2;
  }
  at::set_num_threads(bench::threads());
  auto data = keras::datasets::fashion_mnist::load_data();
  const torch::Tensor x_train = images(data.x_train), y_train = labels(data.y_train);
  const torch::Tensor x_test = images(data.x_test), y_test = labels(data.y_test);
  std::printf("BLAS impl=libtorch threads=%d loaded=%s openblas=\"%s\"\n", at::get_num_threads(), loaded_blas().c_str(),
              openblas_config().c_str());
  if (which != "cnn") run("mlp", x_train, y_train, x_test, y_test);
  if (which != "mlp") {
    run("cnn", x_train.view({-1, 1, 28, 28}), y_train, x_test.view({-1, 1, 28, 28}), y_test);
  }
  return 0;
}
