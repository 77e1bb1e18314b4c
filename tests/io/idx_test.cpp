#include <keras/io/idx.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace keras;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

struct IdxDir {
  fs::path path;
  IdxDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() / ("keras_idx_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~IdxDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const Bytes& bytes) const {
    const std::string p = (path / name).string();
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
};

void put_be(Bytes& out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// An IDX header: two zero bytes, the type code, the rank, then each dimension as big-endian uint32.
Bytes idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  Bytes out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) put_be(out, d, 4);
  return out;
}

uint32_t crc32(const Bytes& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_le(Bytes& out, uint32_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A gzip member holding `data` in stored (uncompressed) deflate blocks, as RFC 1951/1952 define them.
Bytes gzip_stored(const Bytes& data) {
  Bytes out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(data.size() - pos, 65535);
    out.push_back(pos + n == data.size() ? 1 : 0);
    put_le(out, static_cast<uint32_t>(n), 2);
    put_le(out, static_cast<uint32_t>(~n & 0xFFFF), 2);
    const auto first = data.begin() + static_cast<std::ptrdiff_t>(pos);
    out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(n));
    pos += n;
  } while (pos < data.size());
  put_le(out, crc32(data), 4);
  put_le(out, static_cast<uint32_t>(data.size()), 4);
  return out;
}

Bytes uint8_images() {
  Bytes b = idx_header(0x08, {2, 3});
  for (uint8_t v : {0, 1, 2, 253, 254, 255}) b.push_back(v);
  return b;
}

}  // namespace

TEST_SUITE("io") {

TEST_CASE("load_idx reads uint8 images and labels in the file's shape") {
  IdxDir dir;
  const Tensor x = io::load_idx(dir.write("images-idx2-ubyte", uint8_images()));
  CHECK(x.dtype() == DType::uint8);
  CHECK(x.shape() == Shape{2, 3});
  CHECK(x.to_vector<uint8_t>() == std::vector<uint8_t>{0, 1, 2, 253, 254, 255});

  Bytes labels = idx_header(0x08, {4});
  for (uint8_t v : {9, 0, 3, 7}) labels.push_back(v);
  const Tensor y = io::load_idx(dir.write("labels-idx1-ubyte", labels));
  CHECK(y.shape() == Shape{4});
  CHECK(y.to_vector<uint8_t>() == std::vector<uint8_t>{9, 0, 3, 7});
}

TEST_CASE("load_idx reads the signed and floating element types big-endian") {
  IdxDir dir;
  Bytes i8 = idx_header(0x09, {3});
  for (uint8_t v : {0x80, 0xFF, 0x7F}) i8.push_back(v);
  const Tensor a = io::load_idx(dir.write("i8", i8));
  CHECK(a.dtype() == DType::int32);
  CHECK(a.to_vector<int32_t>() == std::vector<int32_t>{-128, -1, 127});

  Bytes i16 = idx_header(0x0B, {2});
  put_be(i16, 0x8000, 2);
  put_be(i16, 0x0102, 2);
  CHECK(io::load_idx(dir.write("i16", i16)).to_vector<int32_t>() == std::vector<int32_t>{-32768, 258});

  Bytes i32 = idx_header(0x0C, {1, 2});
  put_be(i32, 0xFFFFFFFEu, 4);
  put_be(i32, 0x01020304u, 4);
  const Tensor c = io::load_idx(dir.write("i32", i32));
  CHECK(c.shape() == Shape{1, 2});
  CHECK(c.to_vector<int32_t>() == std::vector<int32_t>{-2, 0x01020304});

  Bytes f32 = idx_header(0x0D, {2});
  put_be(f32, 0x3FC00000u, 4);  // 1.5f
  put_be(f32, 0xC0200000u, 4);  // -2.5f
  const Tensor d = io::load_idx(dir.write("f32", f32));
  CHECK(d.dtype() == DType::float32);
  CHECK(d.to_vector<float>() == std::vector<float>{1.5f, -2.5f});

  Bytes f64 = idx_header(0x0E, {1});
  put_be(f64, 0x400921FB54442D18ull, 8);  // pi
  const Tensor e = io::load_idx(dir.write("f64", f64));
  CHECK(e.dtype() == DType::float64);
  CHECK(e.item<double>() == 3.141592653589793);

  Bytes scalar = idx_header(0x08, {});
  scalar.push_back(42);
  CHECK(io::load_idx(dir.write("scalar", scalar)).shape() == Shape{});

  const Tensor empty = io::load_idx(dir.write("empty", idx_header(0x0D, {0, 5})));
  CHECK(empty.shape() == Shape{0, 5});
}

TEST_CASE("load_idx reads gzip-compressed files like plain ones") {
  IdxDir dir;
  const Tensor x = io::load_idx(dir.write("images.gz", gzip_stored(uint8_images())));
  CHECK(x.shape() == Shape{2, 3});
  CHECK(x.to_vector<uint8_t>() == std::vector<uint8_t>{0, 1, 2, 253, 254, 255});

  // Several deflate blocks, and more data than one read chunk of the reader.
  Bytes big = idx_header(0x08, {300, 5000});
  for (size_t i = 0; i < 300 * 5000; ++i) big.push_back(static_cast<uint8_t>(i * 7));
  const Tensor y = io::load_idx(dir.write("big.gz", gzip_stored(big)));
  REQUIRE(y.shape() == Shape{300, 5000});
  const uint8_t* p = y.data<uint8_t>();
  bool same = true;
  for (size_t i = 0; i < 300 * 5000; ++i) same = same && p[i] == static_cast<uint8_t>(i * 7);
  CHECK(same);
}

TEST_CASE("load_idx names the file for missing, truncated and malformed files") {
  IdxDir dir;
  CHECK_THROWS_WITH_AS(io::load_idx((dir.path / "absent").string()), doctest::Contains("absent"), RuntimeError);
  CHECK_THROWS_WITH_AS(io::load_idx(dir.path.string()), doctest::Contains("not a regular file"), RuntimeError);

  const std::string empty = dir.write("empty", {});
  CHECK_THROWS_WITH_AS(io::load_idx(empty), doctest::Contains(("'" + empty + "'").c_str()), ValueError);
  CHECK_THROWS_WITH_AS(io::load_idx(empty), doctest::Contains("truncated"), ValueError);

  Bytes short_dims = idx_header(0x08, {2, 3});
  short_dims.resize(9);
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("short_dims", short_dims)), doctest::Contains("the 2 dimensions"),
                       ValueError);

  Bytes magic = uint8_images();
  magic[0] = 0x50;
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("magic", magic)), doctest::Contains("bad magic number"), ValueError);

  Bytes type = uint8_images();
  type[2] = 0x0A;
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("type", type)), doctest::Contains("unknown element type code 10"),
                       ValueError);

  Bytes cut = uint8_images();
  cut.pop_back();
  const std::string cut_path = dir.write("cut", cut);
  CHECK_THROWS_WITH_AS(io::load_idx(cut_path), doctest::Contains("need 6 bytes of data"), ValueError);
  CHECK_THROWS_WITH_AS(io::load_idx(cut_path), doctest::Contains(cut_path.c_str()), ValueError);

  Bytes extra = uint8_images();
  extra.push_back(0);
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("extra", extra)), doctest::Contains("unexpected bytes after"),
                       ValueError);
}

TEST_CASE("load_idx refuses dimensions that overflow or exceed the data before allocating") {
  IdxDir dir;
  Bytes overflow = idx_header(0x0E, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu});
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("overflow", overflow)),
                       doctest::Contains("more bytes than can be addressed"), ValueError);

  // 4 GB claimed by a file of a few bytes, plain and compressed.
  Bytes huge = idx_header(0x08, {65536, 65536});
  huge.push_back(1);
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("huge", huge)), doctest::Contains("4294967296 bytes"), ValueError);
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("huge.gz", gzip_stored(huge))), doctest::Contains("4294967296 bytes"),
                       ValueError);

  // Within deflate's ratio for the file size, but the stream holds less: read incrementally, then refused.
  Bytes lying = idx_header(0x08, {1000});
  for (int i = 0; i < 200; ++i) lying.push_back(3);
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("lying.gz", gzip_stored(lying))),
                       doctest::Contains("but the file holds 200"), ValueError);
}

TEST_CASE("load_idx rejects corrupt and truncated gzip streams") {
  IdxDir dir;
  Bytes gz = gzip_stored(uint8_images());
  Bytes bad_crc = gz;
  bad_crc[bad_crc.size() - 8] ^= 0xFF;
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("crc.gz", bad_crc)), doctest::Contains("corrupt gzip data"), ValueError);

  Bytes cut = gz;
  cut.resize(cut.size() - 12);  // inside the data
  const std::string cut_path = dir.write("cut.gz", cut);
  CHECK_THROWS_WITH_AS(io::load_idx(cut_path), doctest::Contains("truncated"), ValueError);
  CHECK_THROWS_WITH_AS(io::load_idx(cut_path), doctest::Contains(cut_path.c_str()), ValueError);

  Bytes bad_block = gz;
  bad_block[10] = 0x07;  // deflate block type 3 is reserved
  CHECK_THROWS_WITH_AS(io::load_idx(dir.write("block.gz", bad_block)), doctest::Contains("corrupt gzip data"),
                       ValueError);
}

}  // TEST_SUITE
