#include <keras/io/h5_file.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>

using namespace keras;
using keras::testing::TempDir;

namespace {

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

// What `fn` writes to stderr (HDF5 prints its errors there unless silenced).
template <class F>
std::string stderr_of(F&& fn) {
  TempDir dir;
  const std::string path = dir / "stderr.txt";
  fflush(stderr);
  const int saved = dup(2);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 2);
  try {
    fn();
  } catch (...) {
  }
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  const auto bytes = keras::testing::read_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

// Replaces every occurrence of `from` with `to` (same length) in a file's bytes; returns how many.
int patch_file(const std::string& path, const std::vector<uint8_t>& from, const std::vector<uint8_t>& to) {
  std::vector<uint8_t> bytes = keras::testing::read_bytes(path);
  int count = 0;
  for (size_t i = 0; i + from.size() <= bytes.size(); ++i) {
    if (std::equal(from.begin(), from.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i))) {
      std::copy(to.begin(), to.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i));
      ++count;
    }
  }
  keras::testing::write_bytes(path, bytes);
  return count;
}

std::vector<uint8_t> u64s(std::initializer_list<uint64_t> values) {
  std::vector<uint8_t> out;
  for (uint64_t v : values) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  return out;
}

}  // namespace

TEST_SUITE("io") {

TEST_CASE("H5File writes and reads datasets of every dtype unchanged, scalars and empty arrays included") {
  TempDir dir;
  const std::string path = dir / "all.h5";
  const Tensors values = {
      random::normal({3, 4}, {.seed = 1}),
      random::normal({2, 2}, {.dtype = DType::float64, .seed = 2}),
      random::normal({5}, {.seed = 3}).astype(DType::float16),
      random::normal({5}, {.seed = 4}).astype(DType::bfloat16),
      Tensor({1, -2, 3}),
      Tensor({int64_t{1} << 40, int64_t{-7}}),
      Tensor({uint8_t{0}, uint8_t{255}}),
      Tensor({true, false, true}),
      Tensor::scalar(2.5f),
      Tensor::empty({0, 3}, DType::float32),
  };
  {
    io::H5File file = io::H5File::create(path);
    for (size_t i = 0; i < values.size(); ++i) file.create_dataset("data/" + std::to_string(i), values[i]);
    file.close();
  }
  const io::H5File file = io::H5File::open(path);
  for (size_t i = 0; i < values.size(); ++i) {
    INFO("dataset " << i << " " << dtype_name(values[i].dtype()));
    const io::H5Dataset d = file.dataset("data/" + std::to_string(i));
    CHECK(d.dtype() == values[i].dtype());
    CHECK(d.shape() == values[i].shape());
    CHECK_FALSE(d.chunked());
    CHECK(same_bytes(d.read(), values[i]));
  }
  // bfloat16 carries Keras's marker.
  CHECK(file.dataset("data/3").read_string_attribute("dtype") == "bfloat16");
}

TEST_CASE("H5File reads an in-memory image of a file") {
  TempDir dir;
  {
    io::H5File file = io::H5File::create(dir / "a.h5");
    file.create_dataset("x", Tensor({1.f, 2.f}));
    file.close();
  }
  const std::vector<uint8_t> bytes = keras::testing::read_bytes(dir / "a.h5");
  const io::H5File image = io::H5File::open_image(bytes.data(), bytes.size(), "image.h5");
  CHECK(image.dataset("x").read().to_vector<float>() == std::vector<float>{1.f, 2.f});
  CHECK(image.filename() == "image.h5");
  const std::string garbage = "definitely not HDF5";
  CHECK_THROWS_WITH_AS(io::H5File::open_image(garbage.data(), garbage.size(), "garbage.h5"),
                       doctest::Contains("garbage.h5"), ValueError);
  CHECK_THROWS_WITH_AS(io::H5File::open_image(nullptr, 0, dir / "a.h5"), doctest::Contains("it is empty"), ValueError);
}

TEST_CASE("String attributes keep their storage: variable or fixed length, UTF-8 or ASCII") {
  TempDir dir;
  const std::string path = dir / "strings.h5";
  {
    io::H5File file = io::H5File::create(path);
    io::H5Group g = file.create_group("g");
    g.write_string_attribute("name", "dénse");
    g.write_string_list_attribute("names", {"a", "bb", "ccc"}, {.variable_length = true, .utf8 = false});
    g.write_string_list_attribute("fixed", {"kernel:0", "b"}, {.variable_length = false, .utf8 = false});
    g.write_string_attribute("fixed_scalar", "tensorflow", {.variable_length = false, .utf8 = false});
    g.write_string_list_attribute("empty", {});
    g.write_string_attribute("name", "dense");  // replaces
    file.close();
  }
  const io::H5File file = io::H5File::open(path);
  const io::H5Group g = file.group("g");
  CHECK(g.attribute_names() == std::vector<std::string>{"empty", "fixed", "fixed_scalar", "name", "names"});
  CHECK(g.read_string_attribute("name") == "dense");
  io::H5AttributeInfo info = g.attribute_info("name");
  CHECK(info.is_string);
  CHECK(info.string_type.variable_length);
  CHECK(info.string_type.utf8);
  CHECK(info.shape == Shape{});
  CHECK(g.read_string_list_attribute("names") == std::vector<std::string>{"a", "bb", "ccc"});
  info = g.attribute_info("names");
  CHECK_FALSE(info.string_type.utf8);
  CHECK(info.shape == Shape{3});
  CHECK(g.read_string_list_attribute("fixed") == std::vector<std::string>{"kernel:0", "b"});
  CHECK_FALSE(g.attribute_info("fixed").string_type.variable_length);
  CHECK(g.read_string_attribute("fixed_scalar") == "tensorflow");
  CHECK(g.read_string_list_attribute("fixed_scalar") == std::vector<std::string>{"tensorflow"});
  // An empty list is h5py's np.asarray([]): float64 of shape (0,).
  info = g.attribute_info("empty");
  CHECK_FALSE(info.is_string);
  CHECK(info.dtype == "float64");
  CHECK(info.shape == Shape{0});
  CHECK(g.read_string_list_attribute("empty").empty());
  CHECK_THROWS_WITH_AS(g.read_string_attribute("names"), doctest::Contains("holds 3 strings"), ValueError);
  CHECK_THROWS_WITH_AS(g.read_string_attribute("missing"), doctest::Contains("no attribute 'missing'"), ValueError);
}

TEST_CASE("Groups list their members in HDF5's name order and tell groups from datasets") {
  TempDir dir;
  {
    io::H5File file = io::H5File::create(dir / "m.h5");
    for (const char* name : {"2", "10", "1", "a"}) file.create_dataset(std::string("vars/") + name, Tensor({1.f}));
    file.create_group("layers/dense/vars");
    file.close();
  }
  const io::H5File file = io::H5File::open(dir / "m.h5");
  CHECK(file.children() == std::vector<std::string>{"layers", "vars"});
  CHECK(file.group("vars").children() == std::vector<std::string>{"1", "10", "2", "a"});
  CHECK(file.has_group("layers/dense/vars"));
  CHECK_FALSE(file.has_dataset("layers/dense/vars"));
  CHECK(file.has_dataset("vars/10"));
  CHECK_FALSE(file.has_group("layers/dense/vars/nothing"));
  CHECK_FALSE(file.has_group("vars/10/below_a_dataset"));
  CHECK(file.group("layers/dense").path() == "/layers/dense");
  CHECK_THROWS_WITH_AS(file.dataset("vars/3"), doctest::Contains("has no dataset '/vars/3'"), ValueError);
  CHECK_THROWS_WITH_AS(file.group("vars/1"), doctest::Contains("it is a dataset"), ValueError);
  CHECK_THROWS_WITH_AS(file.group("vars//1"), doctest::Contains("invalid HDF5 member path"), ValueError);
}

TEST_CASE("HDF5 failures name the file, and HDF5 prints nothing") {
  TempDir dir;
  const std::string missing = dir / "missing.h5";
  CHECK_THROWS_WITH_AS(io::H5File::open(missing), doctest::Contains("missing.h5"), RuntimeError);
  keras::testing::write_bytes(dir / "text.h5", keras::testing::to_bytes("not an HDF5 file at all"));
  CHECK_THROWS_WITH_AS(io::H5File::open(dir / "text.h5"), doctest::Contains("is not an HDF5 file"), ValueError);
  CHECK_THROWS_WITH_AS(io::H5File::create(dir / "no_such_dir/x.h5"), doctest::Contains("no_such_dir/x.h5"), RuntimeError);
  {
    io::H5File file = io::H5File::create(dir / "dup.h5");
    file.create_group("g");
    CHECK_THROWS_WITH_AS(file.create_group("g"), doctest::Contains("cannot create group '/g'"), RuntimeError);
    io::H5Group g = file.group("g");
    file.close();
    CHECK_THROWS_WITH_AS(g.write_string_attribute("a", "b"), doctest::Contains("was closed"), RuntimeError);
  }
  const std::string printed = stderr_of([&] {
    io::H5File file = io::H5File::create(dir / "dup2.h5");
    file.create_group("g");
    file.create_group("g");
  });
  CHECK(printed.empty());
}

TEST_CASE("Datasets claiming absurd dimensions or more data than the file holds are refused before allocating") {
  TempDir dir;
  const std::string path = dir / "absurd.h5";
  {
    io::H5File file = io::H5File::create(path);
    file.create_dataset("x", ops::zeros({3, 5, 7}));
    file.create_dataset("y", ops::zeros({3, 5, 9}));
    file.close();
  }
  // The dataspace stores the dimensions (then the maximum dimensions) as 64-bit integers.
  REQUIRE(patch_file(path, u64s({3, 5, 7}), u64s({uint64_t{1} << 41, 5, 7})) >= 1);
  REQUIRE(patch_file(path, u64s({3, 5, 9}), u64s({uint64_t{1} << 30, 5, 9})) >= 1);
  const io::H5File file = io::H5File::open(path);
  CHECK_THROWS_WITH_AS(file.dataset("x").shape(), doctest::Contains("claims a dimension of 2199023255552, which is absurd"),
                       ValueError);
  CHECK(file.dataset("y").shape() == Shape{int64_t{1} << 30, 5, 9});
  CHECK_THROWS_WITH_AS(file.dataset("y").read(), doctest::Contains("more than a file of"), ValueError);
  CHECK_THROWS_WITH_AS(file.dataset("y").read(), doctest::Contains("absurd.h5"), ValueError);
}

// A file with a variable-length string attribute, whose global heap collection (in `bytes`) starts
// at the returned offset; its first object's header follows the collection's 16-byte header.
size_t vlen_string_file(std::vector<uint8_t>& bytes, const std::string& path) {
  {
    io::H5File file = io::H5File::create(path);
    file.write_string_attribute("model_config", "{\"class_name\": \"Sequential\"}");
    file.close();
  }
  bytes = keras::testing::read_bytes(path);
  const std::string needle = "GCOL";
  const auto at = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  REQUIRE(at != bytes.end());
  return static_cast<size_t>(at - bytes.begin());
}

TEST_CASE("A corrupt global heap is refused before HDF5 reads a variable-length string from it") {
  TempDir dir;
  std::vector<uint8_t> good;
  const size_t heap = vlen_string_file(good, dir / "good.h5");
  CHECK(io::H5File::open(dir / "good.h5").read_string_attribute("model_config") == "{\"class_name\": \"Sequential\"}");
  CHECK(io::H5File::open_image(good.data(), good.size(), "good.h5").read_string_attribute("model_config") ==
        "{\"class_name\": \"Sequential\"}");

  // Object 1's size (8 bytes at +8 of its header) past the collection: HDF5 1.10 would copy that many
  // bytes (the memcpy-param-overlap fuzz_weights_h5 found).
  std::vector<uint8_t> huge = good;
  REQUIRE(huge[heap + 16] == 1);  // the first object is index 1
  const uint64_t absurd = 0x39000000000eULL;
  std::memcpy(huge.data() + heap + 16 + 8, &absurd, sizeof(absurd));
  const std::string where = "global heap collection at byte " + std::to_string(heap);
  CHECK_THROWS_WITH_AS(io::H5File::open_image(huge.data(), huge.size(), "huge.h5"), doctest::Contains(where.c_str()),
                       ValueError);
  keras::testing::write_bytes(dir / "huge.h5", huge);
  const io::H5File opened = io::H5File::open(dir / "huge.h5");  // opening reads no string yet
  CHECK_THROWS_WITH_AS(opened.read_string_attribute("model_config"), doctest::Contains("huge.h5"), ValueError);
  CHECK_THROWS_WITH_AS(opened.read_string_attribute("model_config"), doctest::Contains("past its end"), ValueError);

  // A free-space object (index 0) of size 0: HDF5 1.10's parser would never advance past it.
  std::vector<uint8_t> stuck = good;
  std::memset(stuck.data() + heap + 16, 0, 16);
  CHECK_THROWS_WITH_AS(io::H5File::open_image(stuck.data(), stuck.size(), "stuck.h5"),
                       doctest::Contains("do not fit"), ValueError);

  // The collection's own size past the end of the file.
  std::vector<uint8_t> cut = good;
  const uint64_t too_big = cut.size();
  std::memcpy(cut.data() + heap + 8, &too_big, sizeof(too_big));
  CHECK_THROWS_WITH_AS(io::H5File::open_image(cut.data(), cut.size(), "cut.h5"), doctest::Contains("remain in the file"),
                       ValueError);
}

TEST_CASE("Datasets h5py wrote read back with the values NumPy gave them") {
  const auto text = keras::testing::read_bytes(keras::testing::keras_fixture("h5py_dtypes.json"));
  const nlohmann::json want = nlohmann::json::parse(text.begin(), text.end());
  const io::H5File file = io::H5File::open(keras::testing::keras_fixture("h5py_dtypes.h5"));
  auto doubles = [&](const char* name) { return file.dataset(name).read().astype(DType::float64).to_vector<double>(); };
  auto flat = [&](const char* name) {
    std::vector<double> out;
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
      if (v.is_array()) {
        for (const auto& x : v) walk(x);
      } else {
        out.push_back(v.is_boolean() ? double(v.get<bool>()) : v.get<double>());
      }
    };
    walk(want[name]);
    return out;
  };
  const std::vector<std::pair<const char*, DType>> cases = {
      {"float32", DType::float32}, {"float64_be", DType::float64}, {"float16", DType::float16},
      {"int8", DType::int32},      {"int16_be", DType::int32},     {"uint16", DType::int32},
      {"int32", DType::int32},     {"int64", DType::int64},        {"uint8", DType::uint8},
      {"bool", DType::bool_},      {"scalar", DType::float32},     {"empty", DType::float32}};
  for (const auto& entry : cases) {
    const char* name = entry.first;
    const DType dtype = entry.second;
    INFO(std::string(name));
    CHECK(file.dataset(name).dtype() == dtype);
    CHECK(doubles(name) == flat(name));
  }
  CHECK(file.dataset("int64").read().to_vector<int64_t>() == std::vector<int64_t>{int64_t{1} << 62, -3});
  CHECK(file.dataset("scalar").shape() == Shape{});
  CHECK(file.dataset("empty").shape() == Shape{0, 3});
  CHECK(file.dataset("gzip").chunked());
  double sum = 0;
  for (double v : doubles("gzip")) sum += v;
  CHECK(sum == want["gzip_sum"].get<double>());
  CHECK(file.dataset("bfloat16").dtype() == DType::bfloat16);
  CHECK(doubles("bfloat16") == std::vector<double>{1.0, -2.0, 0.5});
}

}  // TEST_SUITE
