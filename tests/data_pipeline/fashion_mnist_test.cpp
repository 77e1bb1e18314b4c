#include <keras/data/data.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace keras;
namespace fs = std::filesystem;

namespace {

// Sets an environment variable for one scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

bool fashion_mnist_present() {
  const char* env = std::getenv("KERAS_FASHION_MNIST_DIR");
  const fs::path dir = env && *env ? env : "/usr/share/datasets/fashion-mnist";
  return fs::exists(dir / "train-images-idx3-ubyte.gz") && fs::exists(dir / "t10k-labels-idx1-ubyte.gz");
}

std::vector<int64_t> class_counts(const Tensor& y) {
  std::vector<int64_t> counts(10, 0);
  for (uint8_t label : y.to_vector<uint8_t>()) {
    REQUIRE(label < 10);
    ++counts[label];
  }
  return counts;
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("fashion_mnist.load_data names the Debian package when the files are absent") {
  const fs::path empty = fs::temp_directory_path() / ("keras_fashion_test_" + std::to_string(getpid()));
  fs::create_directories(empty);
  {
    ScopedEnv env("KERAS_FASHION_MNIST_DIR", empty.string());
    CHECK_THROWS_WITH_AS(datasets::fashion_mnist::load_data(),
                         doctest::Contains("apt-get install dataset-fashion-mnist"), RuntimeError);
    CHECK_THROWS_WITH_AS(datasets::fashion_mnist::load_data(), doctest::Contains(empty.string().c_str()), RuntimeError);
  }
  fs::remove_all(empty);
}

TEST_CASE("fashion_mnist.load_data gives Keras's arrays, which a shuffled batched epoch covers once") {
  if (!fashion_mnist_present()) {
    MESSAGE("skipped: Fashion-MNIST is absent (apt-get install dataset-fashion-mnist)");
    return;
  }
  const auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  CHECK(x_train.shape() == Shape{60000, 28, 28});
  CHECK(y_train.shape() == Shape{60000});
  CHECK(x_test.shape() == Shape{10000, 28, 28});
  CHECK(y_test.shape() == Shape{10000});
  for (const Tensor& t : {x_train, y_train, x_test, y_test}) CHECK(t.dtype() == DType::uint8);
  // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
  CHECK(class_counts(y_train) == std::vector<int64_t>(10, 6000));
  CHECK(class_counts(y_test) == std::vector<int64_t>(10, 1000));
  CHECK(ops::max(x_train).item<int32_t>() == 255);

  // fit()'s pipeline: every image once per epoch, its label and pixels kept with its index.
  const auto pixel_sums = ops::sum(ops::cast(x_train, DType::int32), {1, 2}).to_vector<int32_t>();
  const auto labels = y_train.to_vector<uint8_t>();
  const Tensor index = ops::arange(60000, DType::int32);
  const auto ds = data::Dataset::from_tensor_slices({x_train, y_train, index}).shuffle(60000, 1).batch(128).prefetch(2);
  CHECK(ds.cardinality() == 469);
  std::vector<int> seen(60000, 0);
  bool matched = true;
  for (const data::Element& batch : ds) {
    const auto sums = ops::sum(ops::cast(batch[0], DType::int32), {1, 2}).to_vector<int32_t>();
    const auto y = batch[1].to_vector<uint8_t>();
    const auto i = batch[2].to_vector<int32_t>();
    for (size_t j = 0; j < i.size(); ++j) {
      ++seen[static_cast<size_t>(i[j])];
      const auto k = static_cast<size_t>(i[j]);
      matched = matched && y[j] == labels[k] && sums[j] == pixel_sums[k];
    }
  }
  CHECK(matched);
  CHECK(std::count(seen.begin(), seen.end(), 1) == 60000);
}

}  // TEST_SUITE
