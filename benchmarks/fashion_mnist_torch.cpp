// Fashion-MNIST MLP benchmark, libtorch side: the workload of benchmarks/fashion_mnist.cpp written
// the way a PyTorch user writes it (nn::Linear with PyTorch's default init, Adam 1e-3,
// CrossEntropyLoss on logits, shuffled batches of 128, one epoch), on the same data, loaded by
// keras-cpp's loader. It also tracks the epoch's loss and accuracy, the work fit does for its logs.
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

}  // namespace

int main() {
  at::set_num_threads(bench::threads());
  torch::manual_seed(1);
  auto data = keras::datasets::fashion_mnist::load_data();
  const torch::Tensor x_train = images(data.x_train), y_train = labels(data.y_train);
  const torch::Tensor x_test = images(data.x_test), y_test = labels(data.y_test);

  torch::nn::Sequential model(torch::nn::Linear(784, 256), torch::nn::ReLU(), torch::nn::Linear(256, 128),
                              torch::nn::ReLU(), torch::nn::Linear(128, 10));
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

  std::printf("BLAS impl=libtorch threads=%d loaded=%s openblas=\"%s\"\n", at::get_num_threads(), loaded_blas().c_str(),
              openblas_config().c_str());
  std::printf("TRAIN impl=libtorch loss=%.4f accuracy=%.4f\n", loss_sum / static_cast<double>(n),
              static_cast<double>(correct) / static_cast<double>(n));
  bench::print_result({"libtorch", epoch_s, static_cast<double>(n), infer_s, static_cast<double>(predicted.size(0)),
                       test_acc});
  return 0;
}
