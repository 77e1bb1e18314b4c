#include <keras/data/dataset.h>

#include <keras/io/idx.h>

#include <cstdlib>
#include <filesystem>
#include <future>

namespace keras::datasets::fashion_mnist {

namespace {

constexpr const char* kDefaultDir = "/usr/share/datasets/fashion-mnist";

std::string data_dir() {
  const char* env = std::getenv("KERAS_FASHION_MNIST_DIR");
  return env && *env ? env : kDefaultDir;
}

void check(const Tensor& t, const Shape& shape, const std::string& path) {
  if (t.dtype() != DType::uint8 || t.shape() != shape) {
    throw ValueError("fashion_mnist.load_data: '" + path + "' holds " + std::string(dtype_name(t.dtype())) +
                     " of shape " + t.shape().str() + ", but Fashion-MNIST has uint8 of shape " + shape.str());
  }
}

}  // namespace

Data load_data() {
  namespace fs = std::filesystem;
  const std::string dir = data_dir();
  const char* files[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                         "t10k-labels-idx1-ubyte.gz"};
  std::string paths[4];
  for (int i = 0; i < 4; ++i) {
    paths[i] = (fs::path(dir) / files[i]).string();
    std::error_code ec;
    if (!fs::is_regular_file(paths[i], ec)) {
      throw RuntimeError("fashion_mnist.load_data: '" + paths[i] +
                         "' not found. Install Debian's package dataset-fashion-mnist "
                         "(apt-get install dataset-fashion-mnist), or point KERAS_FASHION_MNIST_DIR at a directory "
                         "holding the four Fashion-MNIST .gz files");
    }
  }
  // Decompressing is most of the time: the four files in parallel.
  std::future<Tensor> loads[4];
  for (int i = 0; i < 4; ++i) loads[i] = std::async(std::launch::async, [p = paths[i]] { return io::load_idx(p); });
  Tensor arrays[4];
  for (int i = 0; i < 4; ++i) arrays[i] = loads[i].get();
  const int64_t n_train = arrays[1].rank() == 1 ? arrays[1].shape()[0] : -1;
  const int64_t n_test = arrays[3].rank() == 1 ? arrays[3].shape()[0] : -1;
  check(arrays[0], Shape{n_train, 28, 28}, paths[0]);
  check(arrays[1], Shape{n_train}, paths[1]);
  check(arrays[2], Shape{n_test, 28, 28}, paths[2]);
  check(arrays[3], Shape{n_test}, paths[3]);
  return {arrays[0], arrays[1], arrays[2], arrays[3]};
}

}  // namespace keras::datasets::fashion_mnist
