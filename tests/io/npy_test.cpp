#include <keras/keras.h>

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

using namespace keras;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/npy/" + name; }

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory per test, removed afterwards.
struct NpyDir {
  fs::path path;
  NpyDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() / ("keras_npy_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~NpyDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  size_t file_count() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator())); }
};

// The bytes of a .npy file with the given header dict (padded as NumPy pads it) and data.
std::vector<uint8_t> npy_with_header(const std::string& dict, size_t data_bytes, uint8_t major = 1) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  std::string header = dict;
  const size_t prefix = out.size() + (major == 1 ? 2 : 4);
  header += std::string(63 - (prefix + header.size()) % 64, ' ') + "\n";
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data_bytes, 0);
  return out;
}

// A zip archive of one entry whose headers claim `claimed_size` uncompressed bytes for `data`.
std::vector<uint8_t> zip_with_entry(const std::string& name, uint16_t method, uint32_t claimed_size,
                                    const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out;
  auto u16 = [&](uint32_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  };
  auto u32 = [&](uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  };
  auto common = [&] {
    u16(20);           // version needed
    u16(0);            // flags
    u16(method);
    u16(0);            // time
    u16(0x21);         // date: 1980-01-01
    u32(0);            // crc32
    u32(static_cast<uint32_t>(data.size()));
    u32(claimed_size);
    u16(static_cast<uint32_t>(name.size()));
    u16(0);            // extra field length
  };
  u32(0x04034b50);
  common();
  out.insert(out.end(), name.begin(), name.end());
  out.insert(out.end(), data.begin(), data.end());
  const uint32_t cd_offset = static_cast<uint32_t>(out.size());
  u32(0x02014b50);
  u16(20);
  common();
  u16(0);  // comment length
  u16(0);  // disk
  u16(0);  // internal attributes
  u32(0);  // external attributes
  u32(0);  // local header offset
  out.insert(out.end(), name.begin(), name.end());
  const uint32_t cd_size = static_cast<uint32_t>(out.size()) - cd_offset;
  u32(0x06054b50);
  u16(0);  // this disk
  u16(0);  // central directory's disk
  u16(1);  // entries on this disk
  u16(1);  // entries
  u32(cd_size);
  u32(cd_offset);
  u16(0);  // comment length
  return out;
}

Tensor parse(const std::vector<uint8_t>& bytes) { return io::npy_from_bytes(bytes.data(), bytes.size(), "test.npy"); }

}  // namespace

TEST_SUITE("io") {

TEST_CASE("load_npy reads every supported dtype that NumPy wrote") {
  Tensor f32 = io::load_npy(fixture("float32.npy"));
  CHECK(f32.dtype() == DType::float32);
  CHECK(f32.shape() == Shape{2, 3});
  CHECK(f32.to_vector<float>() == std::vector<float>{1.5f, -2.25f, 3.0f, 0.0f, 1e-3f, -7e5f});

  Tensor f64 = io::load_npy(fixture("float64.npy"));
  CHECK(f64.dtype() == DType::float64);
  CHECK(f64.to_vector<double>() == std::vector<double>{1.0 / 3.0, -2.5e-300, 1e300});

  Tensor f16 = io::load_npy(fixture("float16.npy"));
  CHECK(f16.dtype() == DType::float16);
  const std::vector<float> h = f16.to_vector<float>();
  REQUIRE(h.size() == 7);
  CHECK(h[0] == 1.0f);
  CHECK(h[1] == -0.5f);
  CHECK(h[2] == 65504.0f);
  CHECK(h[3] == std::ldexp(1.0f, -24));  // 6e-8 rounds to the smallest subnormal half
  CHECK(std::isinf(h[4]));
  CHECK(h[5] == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(h[6]));

  Tensor i32 = io::load_npy(fixture("int32.npy"));
  CHECK(i32.dtype() == DType::int32);
  CHECK(i32.to_vector<int32_t>() == std::vector<int32_t>{1, -2, std::numeric_limits<int32_t>::max(),
                                                         std::numeric_limits<int32_t>::min()});
  Tensor i64 = io::load_npy(fixture("int64.npy"));
  CHECK(i64.dtype() == DType::int64);
  CHECK(i64.to_vector<int64_t>() == std::vector<int64_t>{int64_t{1} << 62, -3, 0});

  Tensor u8 = io::load_npy(fixture("uint8.npy"));
  CHECK(u8.dtype() == DType::uint8);
  CHECK(u8.to_vector<uint8_t>() == std::vector<uint8_t>{0, 1, 255});

  Tensor b = io::load_npy(fixture("bool.npy"));
  CHECK(b.dtype() == DType::bool_);
  CHECK(b.to_vector<bool>() == std::vector<bool>{true, false, true});
}

TEST_CASE("load_npy reads bfloat16 saved as ml_dtypes does (descr <V2)") {
  Tensor t = io::load_npy(fixture("bfloat16.npy"));
  CHECK(t.dtype() == DType::bfloat16);
  CHECK(t.to_vector<float>() == std::vector<float>{1.0f, -2.5f, static_cast<float>(bfloat16_t(0.1f))});
  // NumPy itself spells a 2-byte void '|V2'; both mean bfloat16 here.
  std::vector<uint8_t> bytes = npy_with_header("{'descr': '|V2', 'fortran_order': False, 'shape': (1,), }", 2);
  bytes[bytes.size() - 1] = 0x3f;
  bytes[bytes.size() - 2] = 0x80;
  CHECK(parse(bytes).item<float>() == 1.0f);
}

TEST_CASE("load_npy reads rank-0, zero-size, big-endian and version 2.0 and 3.0 files") {
  Tensor scalar = io::load_npy(fixture("scalar.npy"));
  CHECK(scalar.rank() == 0);
  CHECK(scalar.item<float>() == 2.5f);

  Tensor empty = io::load_npy(fixture("empty.npy"));
  CHECK(empty.shape() == Shape{0, 3});
  CHECK(empty.size() == 0);

  CHECK(io::load_npy(fixture("big_endian.npy")).to_vector<float>() == std::vector<float>{1.0f, -2.0f, 3.5f});
  CHECK(io::load_npy(fixture("big_endian_int64.npy")).to_vector<int64_t>() ==
        std::vector<int64_t>{1, -2, int64_t{1} << 40});

  for (const char* name : {"version2.npy", "version3.npy"}) {
    CAPTURE(name);
    CHECK(io::load_npy(fixture(name)).to_vector<int32_t>() == std::vector<int32_t>{0, 1, 2, 3});
  }
}

TEST_CASE("save_npy writes the same bytes as numpy.save") {
  for (const char* name : {"float32.npy", "float64.npy", "float16.npy", "int32.npy", "int64.npy", "uint8.npy",
                           "bool.npy", "scalar.npy", "empty.npy", "bfloat16.npy"}) {
    CAPTURE(name);
    const std::vector<uint8_t> original = read_bytes(fixture(name));
    CHECK(io::npy_to_bytes(io::load_npy(fixture(name))) == original);
  }
}

TEST_CASE("save_npy and load_npy round-trip every dtype") {
  NpyDir dir;
  const Tensor base = Tensor({0.5, -1.0, 2.0, 0.0, 3.0, 1.0}, {2, 3});
  for (DType dtype : {DType::float32, DType::float64, DType::float16, DType::bfloat16, DType::int32, DType::int64,
                      DType::uint8, DType::bool_}) {
    CAPTURE(dtype_name(dtype));
    const Tensor t = base.astype(dtype);
    const std::string path = dir / (std::string(dtype_name(dtype)) + ".npy");
    io::save_npy(path, t);
    const Tensor back = io::load_npy(path);
    CHECK(back.dtype() == dtype);
    CHECK(back.shape() == t.shape());
    CHECK(std::memcmp(back.data(), t.data(), t.nbytes()) == 0);
  }
  io::save_npy(dir / "scalar.npy", Tensor::scalar(int64_t{-7}));
  CHECK(io::load_npy(dir / "scalar.npy").item<int64_t>() == -7);
  io::save_npy(dir / "empty.npy", Tensor::empty(Shape{3, 0, 2}, DType::float64));
  CHECK(io::load_npy(dir / "empty.npy").shape() == Shape{3, 0, 2});
  CHECK(dir.file_count() == 10);  // no temporary files left behind
}

TEST_CASE("load_npy rejects column-major and unsupported arrays clearly") {
  CHECK_THROWS_WITH_AS(io::load_npy(fixture("fortran.npy")), doctest::Contains("fortran_order=True"), ValueError);
  CHECK_THROWS_WITH_AS(io::load_npy(fixture("fortran.npy")), doctest::Contains("fortran.npy"), ValueError);
  CHECK_THROWS_WITH_AS(parse(npy_with_header("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", 4)),
                       doctest::Contains("'<i2' is not supported"), NotImplementedError);
  CHECK_THROWS_WITH_AS(parse(npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16)),
                       doctest::Contains("not a NumPy dtype descriptor"), ValueError);
  CHECK_THROWS_WITH_AS(
      parse(npy_with_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8)),
      doctest::Contains("structured"), NotImplementedError);
}

TEST_CASE("load_npy accepts what NumPy accepts in a header: any key order, Python 2 longs, double quotes") {
  CHECK(parse(npy_with_header("{'shape': (2L, 1L), \"fortran_order\": False, 'descr': '<f4'}", 8)).shape() ==
        Shape{2, 1});
  CHECK(parse(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': ()}", 8)).rank() == 0);
  // A header that NumPy would refuse to write in version 1.0 still parses in 2.0.
  CHECK(parse(npy_with_header("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", 12, 2)).size() == 3);
}

TEST_CASE("load_npy reports malformed headers as ValueError naming the source") {
  const std::vector<std::string> bad = {
      "",
      "{",
      "[]",
      "{'descr': '<f4', 'fortran_order': False}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
      "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}",
      "{'descr': 'f4', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk",
      "{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (2,)}",
  };
  for (const std::string& header : bad) {
    CAPTURE(header);
    CHECK_THROWS_WITH_AS(parse(npy_with_header(header, 8)), doctest::Contains("test.npy"), ValueError);
  }
}

TEST_CASE("load_npy rejects bad magic, versions, lengths and absurd shapes without allocating them") {
  std::vector<uint8_t> good = read_bytes(fixture("float32.npy"));
  std::vector<uint8_t> bytes = good;
  bytes[1] = 'X';
  CHECK_THROWS_WITH_AS(parse(bytes), doctest::Contains("magic"), ValueError);
  bytes = good;
  bytes[6] = 4;
  CHECK_THROWS_WITH_AS(parse(bytes), doctest::Contains("version 4.0"), ValueError);
  bytes = good;
  bytes[8] = 0xff;
  bytes[9] = 0xff;
  CHECK_THROWS_WITH_AS(parse(bytes), doctest::Contains("limit of 10000"), ValueError);
  // Shapes far larger than the data, and shapes whose byte count overflows, are refused before allocation.
  CHECK_THROWS_WITH_AS(parse(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }", 8)),
                       doctest::Contains("only 8 follow the header"), ValueError);
  CHECK_THROWS_WITH_AS(
      parse(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", 8)),
      doctest::Contains("too many elements"), ValueError);
  std::string many = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < 65; ++i) many += "1, ";
  CHECK_THROWS_WITH_AS(parse(npy_with_header(many + "), }", 4)), doctest::Contains("more than 64 dimensions"),
                       ValueError);
  // A zero in the shape makes the product zero whatever the other dimensions claim.
  CHECK(parse(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4611686018427387904), }", 0))
            .size() == 0);
}

TEST_CASE("load_npy names the file and says it is truncated, at every cut of a valid file") {
  const std::vector<uint8_t> good = read_bytes(fixture("float32.npy"));
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    CHECK_THROWS_WITH_AS(io::npy_from_bytes(good.data(), n, "cut.npy"), doctest::Contains("cut.npy"), ValueError);
  }
  NpyDir dir;
  write_bytes(dir / "short.npy", std::vector<uint8_t>(good.begin(), good.end() - 1));
  CHECK_THROWS_WITH_AS(io::load_npy(dir / "short.npy"), doctest::Contains("truncated"), ValueError);
  CHECK_THROWS_WITH_AS(io::load_npy(dir / "missing.npy"), doctest::Contains("missing.npy"), RuntimeError);
  CHECK_THROWS_WITH_AS(io::load_npy(dir.path.string()), doctest::Contains("not a regular file"), RuntimeError);
}

TEST_CASE("load_npy survives every single-byte corruption of a valid file") {
  const std::vector<uint8_t> good = read_bytes(fixture("int32.npy"));
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t value : {uint8_t{0}, uint8_t{0xff}, uint8_t{'('}, uint8_t{'9'}}) {
      std::vector<uint8_t> bytes = good;
      bytes[i] = value;
      try {
        (void)parse(bytes);
      } catch (const Error&) {
      }
    }
  }
  // Bytes other than 0 and 1 in a bool array read as True, as NumPy reads them.
  std::vector<uint8_t> bools = npy_with_header("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", 3);
  bools[bools.size() - 1] = 7;
  CHECK(parse(bools).to_vector<bool>() == std::vector<bool>{false, false, true});
}

TEST_CASE("load_npz reads numpy.savez and numpy.savez_compressed archives in stored order") {
  for (const char* name : {"stored.npz", "compressed.npz"}) {
    CAPTURE(name);
    const auto arrays = io::load_npz(fixture(name));
    REQUIRE(arrays.size() == 4);
    CHECK(arrays[0].first == "weights");
    CHECK(arrays[0].second.shape() == Shape{2, 3});
    CHECK(arrays[0].second.to_vector<float>() == std::vector<float>{0, 1, 2, 3, 4, 5});
    CHECK(arrays[1].first == "bias");
    CHECK(arrays[1].second.to_vector<double>() == std::vector<double>{0.5, -0.5});
    CHECK(arrays[2].first == "step");
    CHECK(arrays[2].second.rank() == 0);
    CHECK(arrays[2].second.item<int64_t>() == 7);
    CHECK(arrays[3].first == "mask");
    CHECK(arrays[3].second.to_vector<bool>() == std::vector<bool>{true, false});
  }
}

TEST_CASE("save_npz and load_npz round-trip several arrays, stored and compressed") {
  NpyDir dir;
  const std::vector<std::pair<std::string, Tensor>> arrays = {
      {"dense/kernel", Tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {3, 2})},
      {"dense/bias", Tensor({0.5f, -0.5f})},
      {"half", Tensor({1.f, 2.f}).astype(DType::float16)},
      {"brain", Tensor({1.f, 2.f}).astype(DType::bfloat16)},
      {"count", Tensor::scalar(int64_t{12})},
      {"ids", Tensor({1, 2, 3})},
      {"pixels", Tensor::from_vector(std::vector<uint8_t>(5000, 17), Shape{50, 100})},
      {"flags", Tensor({true, false})},
      {"nothing", Tensor::empty(Shape{0}, DType::float64)},
  };
  for (bool compressed : {false, true}) {
    CAPTURE(compressed);
    const std::string path = dir / (compressed ? "c.npz" : "s.npz");
    io::save_npz(path, arrays, compressed);
    const auto back = io::load_npz(path);
    REQUIRE(back.size() == arrays.size());
    for (size_t i = 0; i < arrays.size(); ++i) {
      CAPTURE(arrays[i].first);
      CHECK(back[i].first == arrays[i].first);
      CHECK(back[i].second.dtype() == arrays[i].second.dtype());
      CHECK(back[i].second.shape() == arrays[i].second.shape());
      CHECK(std::memcmp(back[i].second.data(), arrays[i].second.data(), arrays[i].second.nbytes()) == 0);
    }
  }
  // Deflate shrinks the 5000 identical bytes; storing does not.
  CHECK(fs::file_size(dir / "c.npz") + 4000 < fs::file_size(dir / "s.npz"));
  const std::vector<uint8_t> bytes = read_bytes(dir / "c.npz");
  CHECK(io::npz_from_bytes(bytes.data(), bytes.size()).size() == arrays.size());
}

TEST_CASE("save_npz of no arrays writes an empty archive that loads back empty") {
  NpyDir dir;
  io::save_npz(dir / "empty.npz", {});
  CHECK(fs::file_size(dir / "empty.npz") == 22);
  CHECK(io::load_npz(dir / "empty.npz").empty());
}

TEST_CASE("save_npz rejects empty and repeated names, leaving the previous file intact") {
  NpyDir dir;
  const std::string path = dir / "w.npz";
  io::save_npz(path, {{"a", Tensor({1.f})}});
  const std::vector<uint8_t> before = read_bytes(path);
  CHECK_THROWS_WITH_AS(io::save_npz(path, {{"a", Tensor({1.f})}, {"a", Tensor({2.f})}}),
                       doctest::Contains("'a' appears twice"), ValueError);
  CHECK_THROWS_WITH_AS(io::save_npz(path, {{"", Tensor({1.f})}}), doctest::Contains("empty"), ValueError);
  CHECK_THROWS_WITH_AS(io::save_npz(path, {{"x", Tensor()}}), doctest::Contains("undefined"), ValueError);
  CHECK(read_bytes(path) == before);
  CHECK(dir.file_count() == 1);
}

TEST_CASE("save_npy replaces a previous file atomically and reports an unwritable path") {
  NpyDir dir;
  const std::string path = dir / "x.npy";
  io::save_npy(path, Tensor({1.f, 2.f}));
  io::save_npy(path, Tensor({3, 4, 5}));
  CHECK(io::load_npy(path).to_vector<int32_t>() == std::vector<int32_t>{3, 4, 5});
  CHECK(dir.file_count() == 1);
  CHECK_THROWS_WITH_AS(io::save_npy(dir / "no/such/dir/x.npy", Tensor({1.f})), doctest::Contains("no/such/dir"),
                       RuntimeError);
  CHECK_THROWS_WITH_AS(io::save_npz(dir / "no/such/dir/x.npz", {{"a", Tensor({1.f})}}),
                       doctest::Contains("no/such/dir"), RuntimeError);
}

TEST_CASE("load_npz rejects non-zip files, truncated archives and corrupted entries without crashing") {
  NpyDir dir;
  CHECK_THROWS_WITH_AS(io::load_npz(fixture("float32.npy")), doctest::Contains("float32.npy"), ValueError);
  CHECK_THROWS_WITH_AS(io::load_npz(dir / "missing.npz"), doctest::Contains("missing.npz"), RuntimeError);
  const std::vector<uint8_t> good = read_bytes(fixture("compressed.npz"));
  for (size_t n = 0; n < good.size(); n += 7) {
    CAPTURE(n);
    CHECK_THROWS_AS(io::npz_from_bytes(good.data(), n, "cut.npz"), Error);
  }
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bytes = good;
    bytes[i] ^= 0x5a;
    try {
      (void)io::npz_from_bytes(bytes.data(), bytes.size(), "flipped.npz");
    } catch (const Error&) {
    }
  }
}

TEST_CASE("load_npz refuses entries whose claimed size the compressed data cannot hold") {
  const std::vector<uint8_t> deflated = zip_with_entry("x.npy", 8, 0x80000000u, std::vector<uint8_t>(16, 0));
  CHECK_THROWS_WITH_AS(io::npz_from_bytes(deflated.data(), deflated.size(), "bomb.npz"),
                       doctest::Contains("claims 2147483648 bytes from 16 compressed bytes"), ValueError);
  const std::vector<uint8_t> stored = zip_with_entry("x.npy", 0, 1000, std::vector<uint8_t>(16, 0));
  CHECK_THROWS_WITH_AS(io::npz_from_bytes(stored.data(), stored.size(), "lie.npz"),
                       doctest::Contains("claims 1000 bytes from 16"), ValueError);
  const std::vector<uint8_t> bzip2 = zip_with_entry("x.npy", 12, 16, std::vector<uint8_t>(16, 0));
  CHECK_THROWS_WITH_AS(io::npz_from_bytes(bzip2.data(), bzip2.size(), "bz.npz"),
                       doctest::Contains("compression method 12"), ValueError);
  // An honest stored entry that is not a .npy is named in the error.
  const std::vector<uint8_t> text = zip_with_entry("notes.txt", 0, 4, {'a', 'b', 'c', 'd'});
  CHECK_THROWS_WITH_AS(io::npz_from_bytes(text.data(), text.size(), "t.npz"), doctest::Contains("t.npz[notes.txt]"),
                       ValueError);

  // Patch the central directory's uncompressed size of the first entry (zip64 archives keep it in the
  // extra field; NumPy's savez writes 32-bit sizes there for small entries) to 2 GB.
  std::vector<uint8_t> bytes = read_bytes(fixture("compressed.npz"));
  size_t cd = 0;
  for (size_t i = 0; i + 4 <= bytes.size(); ++i) {
    if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2) {
      cd = i;
      break;
    }
  }
  REQUIRE(cd > 0);
  bytes[cd + 24] = 0x00;
  bytes[cd + 25] = 0x00;
  bytes[cd + 26] = 0x00;
  bytes[cd + 27] = 0x80;
  CHECK_THROWS_WITH_AS(io::npz_from_bytes(bytes.data(), bytes.size(), "bomb.npz"), doctest::Contains("bomb.npz"),
                       ValueError);
}

}  // TEST_SUITE
