#include <keras/io/idx.h>

#include <keras/io/io_utils.h>

#include <zlib.h>

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

namespace keras::io {

namespace {

using detail::kMaxDeflateRatio;
// The file grows its buffer as data actually arrives, starting here, so a header's claim costs nothing.
constexpr size_t kFirstChunk = size_t{1} << 20;

[[noreturn]] void invalid_idx(const std::string& path, const std::string& problem) {
  throw ValueError("Invalid IDX file '" + path + "': " + problem);
}

struct ElementType {
  uint8_t code;
  const char* name;
  size_t size;  // bytes in the file
  DType dtype;  // what we store it as (no int8/int16 dtypes: int32)
};
constexpr ElementType kTypes[] = {
    {0x08, "uint8", 1, DType::uint8},     {0x09, "int8", 1, DType::int32},      {0x0B, "int16", 2, DType::int32},
    {0x0C, "int32", 4, DType::int32},     {0x0D, "float32", 4, DType::float32}, {0x0E, "float64", 8, DType::float64},
};

struct GzClose {
  void operator()(gzFile f) const { gzclose(f); }
};

// gzread reads gzip and, transparently, plain files; this wraps it with the checks a hostile file needs.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      throw RuntimeError("Cannot open IDX file '" + path + "': " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) throw RuntimeError("Cannot read IDX file '" + path + "': it is not a regular file");
    file_size_ = static_cast<uint64_t>(st.st_size);
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_) throw RuntimeError("Cannot open IDX file '" + path + "': " + std::strerror(errno));
    gzbuffer(file_.get(), 1 << 18);
  }
  uint64_t file_size() const { return file_size_; }
  bool compressed() { return gzdirect(file_.get()) == 0; }

  // Up to n bytes; fewer only at the end of the data.
  size_t read_some(void* dst, size_t n) {
    size_t done = 0;
    while (done < n) {
      const auto chunk = static_cast<unsigned>(std::min<size_t>(n - done, INT_MAX));
      const int got = gzread(file_.get(), static_cast<char*>(dst) + done, chunk);
      if (got < 0) fail();
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }
  void read_exact(void* dst, size_t n, const std::string& what) {
    const size_t got = read_some(dst, n);
    if (got < n) {
      truncated(what + " needs " + std::to_string(n) + " bytes, but only " + std::to_string(got) + " remain");
    }
  }
  [[noreturn]] void truncated(const std::string& detail) {
    int status = Z_OK;
    gzerror(file_.get(), &status);
    invalid_idx(path_, std::string(status == Z_BUF_ERROR ? "the compressed stream is truncated" : "truncated") + ": " +
                       detail);
  }

 private:
  [[noreturn]] void fail() {
    int status = Z_OK;
    const char* message = gzerror(file_.get(), &status);
    if (status == Z_ERRNO) throw RuntimeError("Cannot read IDX file '" + path_ + "': " + std::strerror(errno));
    invalid_idx(path_, std::string("corrupt gzip data: ") + message);
  }

  std::string path_;
  uint64_t file_size_ = 0;
  std::unique_ptr<gzFile_s, GzClose> file_;
};

std::string shape_text(const std::vector<int64_t>& dims) { return Shape(dims).str(); }

// Big-endian element `i` of the file's data converted to what the tensor stores.
template <class T>
void convert(const uint8_t* src, const ElementType& type, int64_t count, T* dst) {
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t* p = src + static_cast<size_t>(i) * type.size;
    uint64_t u = 0;
    for (size_t b = 0; b < type.size; ++b) u = (u << 8) | p[b];
    switch (type.code) {
      case 0x09: dst[i] = static_cast<T>(static_cast<int8_t>(u)); break;
      case 0x0B: dst[i] = static_cast<T>(static_cast<int16_t>(u)); break;
      case 0x0C: dst[i] = static_cast<T>(static_cast<int32_t>(static_cast<uint32_t>(u))); break;
      case 0x0D: dst[i] = static_cast<T>(std::bit_cast<float>(static_cast<uint32_t>(u))); break;
      default: dst[i] = static_cast<T>(std::bit_cast<double>(u)); break;
    }
  }
}

}  // namespace

Tensor load_idx(const std::string& path) {
  Reader in(path);
  uint8_t magic[4];
  in.read_exact(magic, 4, "the magic number");
  if (magic[0] != 0 || magic[1] != 0) {
    invalid_idx(path, "bad magic number: expected two zero bytes, a type code and a rank, but the file starts with " +
                      std::to_string(magic[0]) + ", " + std::to_string(magic[1]));
  }
  const ElementType* type = nullptr;
  for (const ElementType& t : kTypes) {
    if (t.code == magic[2]) type = &t;
  }
  if (!type) {
    invalid_idx(path, "unknown element type code " + std::to_string(magic[2]) +
                      " (expected 8 uint8, 9 int8, 11 int16, 12 int32, 13 float32 or 14 float64)");
  }
  const size_t rank = magic[3];
  std::vector<uint8_t> header(rank * 4);
  in.read_exact(header.data(), header.size(), "the " + std::to_string(rank) + " dimensions");
  std::vector<int64_t> dims(rank);
  uint64_t count = 1;
  bool overflow = false;
  for (size_t d = 0; d < rank; ++d) {
    const uint8_t* p = &header[d * 4];
    dims[d] = (int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | int64_t{p[3]};
    overflow = overflow || __builtin_mul_overflow(count, static_cast<uint64_t>(dims[d]), &count);
  }
  uint64_t data_bytes = 0;
  overflow = overflow || __builtin_mul_overflow(count, uint64_t{type->size}, &data_bytes) ||
             data_bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  const uint64_t header_bytes = 4 + rank * 4;
  const uint64_t available = in.compressed() ? in.file_size() * kMaxDeflateRatio : in.file_size() - header_bytes;
  if (overflow || data_bytes > available) {
    const std::string need = overflow ? "more bytes than can be addressed" : std::to_string(data_bytes) + " bytes";
    invalid_idx(path, "the dimensions " + shape_text(dims) + " of " + type->name + " need " + need +
                      " of data, more than the file of " + std::to_string(in.file_size()) + " bytes can hold");
  }

  std::vector<uint8_t> data;
  while (data.size() < data_bytes) {
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(data_bytes - data.size(), std::max(kFirstChunk, data.size())));
    const size_t old = data.size();
    data.resize(old + want);
    const size_t got = in.read_some(data.data() + old, want);
    if (got < want) {
      in.truncated("the dimensions " + shape_text(dims) + " of " + type->name + " need " + std::to_string(data_bytes) +
                   " bytes of data, but the file holds " + std::to_string(old + got));
    }
  }
  uint8_t extra;
  if (in.read_some(&extra, 1) != 0) {
    invalid_idx(path, "unexpected bytes after the " + std::to_string(data_bytes) + " bytes of data that the dimensions " +
                      shape_text(dims) + " of " + type->name + " describe");
  }

  Tensor t = Tensor::empty(Shape(dims), type->dtype);
  const auto n = static_cast<int64_t>(count);
  if (type->code == 0x08) {
    if (n > 0) std::memcpy(t.mutable_data(), data.data(), data.size());
  } else {
    visit_dtype(type->dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, float> || std::is_same_v<T, double>) {
        convert(data.data(), *type, n, t.mutable_data<T>());
      }
    });
  }
  return t;
}

}  // namespace keras::io
