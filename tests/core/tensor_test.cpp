#include <keras/keras.h>
#include <keras/kernels/device_memory.h>

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace keras;

namespace {

// NumPy's str() of each array in print_cases.npz, as make_fixtures.py wrote it.
std::map<std::string, std::string> numpy_print_cases() {
  std::ifstream in(std::string(KERAS_TEST_DATA_DIR) + "/npy/print_cases.txt");
  REQUIRE(in);
  std::map<std::string, std::string> cases;
  std::string line, name, text;
  auto flush = [&] {
    if (name.empty()) return;
    if (!text.empty()) text.pop_back();  // the newline that ends the last line
    cases[name] = text;
  };
  while (std::getline(in, line)) {
    if (line.rfind("@@ ", 0) == 0) {
      flush();
      name = line.substr(3);
      text.clear();
    } else {
      text += line + "\n";
    }
  }
  flush();
  return cases;
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("Tensor is built from initializer lists, vectors, raw data and scalars") {
  Tensor a({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  CHECK(a.shape() == Shape{2, 3});
  CHECK(a.dtype() == DType::float32);
  CHECK(a.rank() == 2);
  CHECK(a.size() == 6);
  CHECK(a.nbytes() == 24);
  CHECK(a.to_vector<float>() == std::vector<float>{1, 2, 3, 4, 5, 6});

  Tensor b({1, 2, 3});
  CHECK(b.shape() == Shape{3});
  CHECK(b.dtype() == DType::int32);

  Tensor c = Tensor::from_vector(std::vector<int64_t>{7, 8, 9, 10}, Shape{2, 2});
  CHECK(c.dtype() == DType::int64);
  CHECK(c.to_vector<int64_t>() == std::vector<int64_t>{7, 8, 9, 10});
  CHECK(Tensor::from_vector(std::vector<double>{1.5, 2.5}).shape() == Shape{2});

  const uint8_t raw[4] = {1, 2, 3, 255};
  Tensor d = Tensor::from_data(raw, Shape{2, 2}, DType::uint8);
  CHECK(d.to_vector<int32_t>() == std::vector<int32_t>{1, 2, 3, 255});

  CHECK(Tensor::scalar(2.f).dtype() == DType::float32);
  CHECK(Tensor::scalar(2.0).dtype() == DType::float64);
  CHECK(Tensor::scalar(2).dtype() == DType::int32);
  CHECK(Tensor::scalar(true).dtype() == DType::bool_);
  CHECK(Tensor::scalar(2).rank() == 0);
  CHECK(Tensor::scalar(2).size() == 1);
  Tensor s = Tensor::scalar(2.75, DType::float16);
  CHECK(s.dtype() == DType::float16);
  CHECK(s.item<float>() == 2.75f);
  CHECK(Tensor::scalar(-3.9, DType::int32).item<int32_t>() == -3);  // truncates toward zero, as NumPy
}

TEST_CASE("Tensor copies the data it is built from") {
  std::vector<float> values = {1.f, 2.f};
  Tensor t = Tensor::from_vector(values);
  values[0] = 100.f;
  CHECK(t.to_vector<float>()[0] == 1.f);
}

TEST_CASE("Tensor of zero elements has its shape and no data") {
  Tensor e = Tensor::empty(Shape{0, 4}, DType::float32);
  CHECK(e.size() == 0);
  CHECK(e.nbytes() == 0);
  CHECK(e.shape() == Shape{0, 4});
  CHECK(e.to_vector<float>().empty());
  CHECK(Tensor::from_vector(std::vector<int32_t>{}).shape() == Shape{0});
}

TEST_CASE("Tensor rejects a value count that does not match its shape") {
  CHECK_THROWS_WITH_AS(Tensor({1.f, 2.f, 3.f}, {2, 2}),
                       doctest::Contains("shape (2, 2) (4 elements) from 3 values"), ValueError);
  CHECK_THROWS_WITH_AS(Tensor::from_vector(std::vector<int32_t>{1, 2}, Shape{3}), doctest::Contains("from 2 values"),
                       ValueError);
  CHECK_THROWS_WITH_AS(Tensor::empty(Shape{None, 3}, DType::float32), doctest::Contains("None"), ValueError);
  CHECK_THROWS_WITH_AS(Tensor::empty(Shape{int64_t{1} << 40, int64_t{1} << 22}, DType::float64),
                       doctest::Contains("overflows"), ValueError);
}

TEST_CASE("Tensor::to_vector converts between element types") {
  Tensor f({-1.5f, 0.f, 2.7f});
  CHECK(f.to_vector<int32_t>() == std::vector<int32_t>{-1, 0, 2});
  CHECK(f.to_vector<bool>() == std::vector<bool>{true, false, true});
  CHECK(f.to_vector<double>() == std::vector<double>{-1.5, 0.0, static_cast<double>(2.7f)});
  CHECK(Tensor({true, false}).to_vector<float>() == std::vector<float>{1.f, 0.f});
  CHECK(Tensor({1, 300}).to_vector<uint8_t>() == std::vector<uint8_t>{1, 44});  // wraps as C++ and NumPy do
}

TEST_CASE("Tensor::item needs exactly one element") {
  CHECK(Tensor({5}).item<int64_t>() == 5);
  CHECK(Tensor::scalar(2.5).item<float>() == 2.5f);
  CHECK_THROWS_WITH_AS(Tensor({1, 2}).item<int32_t>(), doctest::Contains("exactly one element"), ValueError);
  CHECK_THROWS_WITH_AS(Tensor({1, 2}).item<int32_t>(), doctest::Contains("(2,)"), ValueError);
  CHECK_THROWS_AS(Tensor::empty(Shape{0}, DType::float32).item<float>(), ValueError);
}

TEST_CASE("Tensor::data checks the requested element type") {
  Tensor t({1.f, 2.f});
  CHECK(t.data<float>()[1] == 2.f);
  CHECK_THROWS_WITH_AS(t.data<double>(), doctest::Contains("dtype float32 as float64"), ValueError);
}

TEST_CASE("Tensor::astype converts between every pair of dtypes") {
  const std::vector<double> values = {0.0, 1.0, 2.5, 100.0};
  const std::vector<DType> all = {DType::float32, DType::float64, DType::float16, DType::bfloat16,
                                  DType::int32,   DType::int64,   DType::uint8,   DType::bool_};
  for (DType from : all) {
    for (DType to : all) {
      CAPTURE(dtype_name(from));
      CAPTURE(dtype_name(to));
      const Tensor x = Tensor::from_vector(values).astype(from);
      const Tensor y = x.astype(to);
      CHECK(y.dtype() == to);
      CHECK(y.shape() == x.shape());
      const std::vector<double> got = y.to_vector<double>();
      const std::vector<double> src = x.to_vector<double>();
      for (size_t i = 0; i < values.size(); ++i) {
        double want = src[i];
        if (to == DType::bool_) want = want != 0;
        if (is_integer(to)) want = std::trunc(want);
        CHECK(got[i] == want);
      }
    }
  }
  const Tensor same = Tensor({1.f});
  CHECK(same.astype(DType::float32).id() == same.id());
}

TEST_CASE("Tensor::astype rounds to float16 and bfloat16 to nearest even") {
  // 1 + 2^-11 is halfway between the halves 1 and 1 + 2^-10: ties go to the even one, 1.
  const float tie = 1.0f + std::ldexp(1.0f, -11);
  const float above = 1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20);
  CHECK(Tensor({tie, above}).astype(DType::float16).to_vector<float>() ==
        std::vector<float>{1.0f, 1.0f + std::ldexp(1.0f, -10)});
  // bfloat16 keeps 8 significant bits: 1 + 2^-8 ties down to 1, 1 + 3 * 2^-8 ties up to 1 + 2^-6.
  const float bf_tie_down = 1.0f + std::ldexp(1.0f, -8);
  const float bf_tie_up = 1.0f + 3 * std::ldexp(1.0f, -8);
  CHECK(Tensor({bf_tie_down, bf_tie_up}).astype(DType::bfloat16).to_vector<float>() ==
        std::vector<float>{1.0f, 1.0f + std::ldexp(1.0f, -6)});
  CHECK(Tensor({70000.f}).astype(DType::float16).item<float>() == std::numeric_limits<float>::infinity());
  CHECK(Tensor({1e-8f}).astype(DType::float16).item<float>() == 0.0f);
}

TEST_CASE("An undefined Tensor stands for None and refuses to be read") {
  Tensor t;
  CHECK_FALSE(t.defined());
  CHECK(t.str() == "None");
  CHECK(t.repr() == "None");
  CHECK_THROWS_WITH_AS(t.shape(), doctest::Contains("undefined (None)"), ValueError);
  CHECK_THROWS_AS(t.dtype(), ValueError);
  CHECK_THROWS_AS(t.to_vector<float>(), ValueError);
  CHECK_THROWS_AS(t.astype(DType::float64), ValueError);
}

TEST_CASE("Tensors on a CUDA device fail clearly without the CUDA backend or a GPU") {
  if (kernels::cuda_device_count() > 0) return;  // tests/kernels/cuda covers machines with one
  CHECK_THROWS_WITH_AS(Tensor::empty(Shape{2}, DType::float32, Device("cuda:0")),
                       doctest::Contains("'cuda:0' is not available"), RuntimeError);
  CHECK_THROWS_WITH_AS(Tensor({1.f}).to(Device("cuda:0")),
                       doctest::Contains(kernels::cuda_backend_built() ? "no CUDA GPU" : "no CUDA backend"), RuntimeError);
  CHECK_THROWS_AS(Tensor::scalar(1.0, DType::float32, Device("cuda:1")), RuntimeError);
  CHECK(Tensor({1.f}).to(Device("cpu")).device().is_cpu());
}

TEST_CASE("Tensor::str prints what NumPy's str() prints") {
  const auto expected = numpy_print_cases();
  const auto arrays = io::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/npy/print_cases.npz");
  REQUIRE(arrays.size() == expected.size());
  for (const auto& entry : arrays) {
    const std::string& name = entry.first;
    const Tensor& t = entry.second;
    CAPTURE(name);
    REQUIRE(expected.count(name));
    CHECK(t.str() == expected.at(name));
  }
}

TEST_CASE("Tensor::str pads floats, aligns columns and spells bools as NumPy does") {
  CHECK(Tensor({1.f, 2.5f, 3.f}).str() == "[1.  2.5 3. ]");
  CHECK(Tensor({1, 2, 3}).str() == "[1 2 3]");
  CHECK(Tensor({true, false}).str() == "[ True False]");
  CHECK(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}).str() == "[[1. 2.]\n [3. 4.]]");
  CHECK(Tensor({-1, 10, 200, 3}, {2, 2}).str() == "[[ -1  10]\n [200   3]]");
  CHECK(Tensor({0.1f}).astype(DType::bfloat16).str() == "[0.1]");  // the shortest digits that read back
  CHECK(Tensor::scalar(0.1f).str() == "0.1");
  CHECK(Tensor::scalar(uint8_t{200}).str() == "200");
  std::ostringstream os;
  os << Tensor({1.5, -2.0});
  CHECK(os.str() == "[ 1.5 -2. ]");
}

TEST_CASE("Tensor::str summarises beyond 1000 elements with edge items") {
  std::vector<int32_t> v(1001);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(i);
  CHECK(Tensor::from_vector(v).str() == "[   0    1    2 ...  998  999 1000]");
  v.resize(1000);
  CHECK(Tensor::from_vector(v).str().find("...") == std::string::npos);
}

TEST_CASE("Tensor::repr reads like tf.Tensor's str") {
  CHECK(Tensor({1.f, 2.f}).repr() == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)");
  CHECK(Tensor::scalar(int64_t{3}).repr() == "tf.Tensor(3, shape=(), dtype=int64)");
  CHECK(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}).repr() ==
        "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)");
}

}  // TEST_SUITE
