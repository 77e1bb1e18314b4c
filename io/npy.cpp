#include <keras/io/npy.h>

#include <keras/io/atomic_file.h>
#include <keras/io/io_utils.h>

#include <zip.h>

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <set>

namespace keras::io {

namespace {

using detail::Archive;
using detail::EntryCloser;
using detail::errno_text;
using detail::kMaxDeflateRatio;
using detail::zip_error_text;

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// NumPy refuses longer headers unless the file is trusted (numpy.lib.format._MAX_HEADER_SIZE).
constexpr uint64_t kMaxHeaderSize = 10000;
// NumPy allows 32 dimensions (64 since 2.0): more is a malformed file, not a real array.
constexpr size_t kMaxRank = 64;
// Deflate emits at most 258 bytes per 2 bits of input: a larger claimed ratio is a lie (zip bomb).
constexpr bool kLittleEndian = std::endian::native == std::endian::little;

[[noreturn]] void invalid(std::string_view source, const std::string& problem) {
  throw ValueError("Invalid .npy data in '" + std::string(source) + "': " + problem);
}


// A forward-only stream of `size` bytes: a file, a buffer or a zip entry.
class ByteSource {
 public:
  explicit ByteSource(std::string name, uint64_t size) : name_(std::move(name)), size_(size) {}
  virtual ~ByteSource() = default;
  const std::string& name() const { return name_; }
  uint64_t size() const { return size_; }
  uint64_t position() const { return position_; }
  /// Reads exactly n bytes; `what` names them if the stream ends first.
  void read(void* dst, uint64_t n, const char* what) {
    if (n > size_ - position_) {
      invalid(name_, std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes at offset " +
                         std::to_string(position_) + ", but only " + std::to_string(size_ - position_) + " remain");
    }
    uint64_t done = 0;
    while (done < n) {
      const uint64_t got = read_some(static_cast<char*>(dst) + done, n - done);
      if (got == 0) {
        invalid(name_, std::string("truncated: the stream ended inside ") + what + " at offset " +
                           std::to_string(position_ + done));
      }
      done += got;
    }
    position_ += n;
  }

 protected:
  // Returns how many bytes it read (0 only at the end); throws on read errors.
  virtual uint64_t read_some(void* dst, uint64_t n) = 0;

 private:
  std::string name_;
  uint64_t size_;
  uint64_t position_ = 0;
};

class BufferSource final : public ByteSource {
 public:
  BufferSource(const void* data, size_t size, std::string_view name)
      : ByteSource(std::string(name), size), data_(static_cast<const char*>(data)) {}

 private:
  uint64_t read_some(void* dst, uint64_t n) override {
    std::memcpy(dst, data_ + position(), n);
    return n;
  }
  const char* data_;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

class FileSource final : public ByteSource {
 public:
  FileSource(std::unique_ptr<std::FILE, FileCloser> file, std::string name, uint64_t size)
      : ByteSource(std::move(name), size), file_(std::move(file)) {}

  static FileSource open(const std::string& path) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) throw RuntimeError("Cannot open '" + path + "' for reading: " + errno_text());
    struct stat st {};
    if (fstat(fileno(file.get()), &st) != 0) throw RuntimeError("Cannot stat '" + path + "': " + errno_text());
    if (!S_ISREG(st.st_mode)) throw RuntimeError("Cannot read '" + path + "': it is not a regular file");
    return FileSource(std::move(file), path, static_cast<uint64_t>(st.st_size));
  }

 private:
  uint64_t read_some(void* dst, uint64_t n) override {
    const size_t got = std::fread(dst, 1, n, file_.get());
    if (got == 0 && std::ferror(file_.get())) throw RuntimeError("Cannot read '" + name() + "': " + errno_text());
    return got;
  }
  std::unique_ptr<std::FILE, FileCloser> file_;
};

// --- The header: a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Header parse() {
    Header header;
    std::set<std::string> seen;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = parse_string();
      if (!seen.insert(key).second) fail("key '" + key + "' appears twice");
      expect(':');
      skip_space();
      if (key == "descr") {
        if (peek() == '[') {
          throw NotImplementedError("Cannot load '" + std::string(source_) +
                                    "': structured (record) arrays are not supported; save each field as its own array");
        }
        header.descr = parse_string();
      } else if (key == "fortran_order") {
        header.fortran_order = parse_bool();
      } else if (key == "shape") {
        header.shape = parse_shape();
      } else {
        fail("unexpected key '" + key + "' (expected exactly 'descr', 'fortran_order' and 'shape')");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_space();
      if (peek() != '}') fail(std::string("expected ',' or '}' at position ") + std::to_string(pos_));
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the closing '}'");
    for (const char* key : {"descr", "fortran_order", "shape"}) {
      if (!seen.count(key)) fail(std::string("the header has no '") + key + "' key");
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    invalid(source_, "malformed header " + quoted() + ": " + problem);
  }
  std::string quoted() const {
    std::string s(text_.substr(0, 200));
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
    for (char& c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    return "\"" + s + (text_.size() > 200 ? "...\"" : "\"");
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "' at position " + std::to_string(pos_));
    ++pos_;
  }
  std::string parse_string() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string at position " + std::to_string(pos_));
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    if (s.find('\\') != std::string::npos) fail("escape sequences in strings are not supported");
    pos_ = end + 1;
    return s;
  }
  bool parse_bool() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("fortran_order must be True or False");
  }
  std::vector<int64_t> parse_shape() {
    std::vector<int64_t> dims;
    bool comma = false;
    if (peek() != '(') fail("shape must be a tuple of integers");
    ++pos_;
    while (true) {
      skip_space();
      if (peek() == ')') break;
      if (dims.size() == kMaxRank) fail("shape has more than " + std::to_string(kMaxRank) + " dimensions");
      if (peek() == '-') fail("shape has a negative dimension");
      if (peek() < '0' || peek() > '9') fail("shape must be a tuple of integers");
      int64_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        const int digit = peek() - '0';
        if (d > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("a shape dimension overflows int64");
        d = d * 10 + digit;
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 longs, which NumPy still reads
      dims.push_back(d);
      skip_space();
      if (peek() == ',') {
        ++pos_;
        comma = true;
      } else if (peek() != ')') {
        fail("expected ',' or ')' in shape");
      }
    }
    ++pos_;
    // "(3)" is the int 3 in Python, not a tuple: NumPy rejects it, and so do we.
    if (dims.size() == 1 && !comma) fail("shape (N) is not a tuple; a 1-D shape is written (N,)");
    return dims;
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
};

// --- dtypes: descr strings such as '<f4', with their byte order.

struct Descr {
  DType dtype;
  bool swap;  // the file's byte order is not this machine's
};

std::string descr_of(DType dtype) {
  const char order = kLittleEndian ? '<' : '>';
  switch (dtype) {
    case DType::float32: return std::string(1, order) + "f4";
    case DType::float64: return std::string(1, order) + "f8";
    case DType::float16: return std::string(1, order) + "f2";
    case DType::bfloat16: return std::string(1, order) + "V2";  // as ml_dtypes' bfloat16 saves itself
    case DType::int32: return std::string(1, order) + "i4";
    case DType::int64: return std::string(1, order) + "i8";
    case DType::uint8: return "|u1";
    case DType::bool_: return "|b1";
  }
  return "";
}

Descr parse_descr(const std::string& descr, std::string_view source) {
  if (descr == "bfloat16") return {DType::bfloat16, false};  // str(dtype) written by hand-rolled ml_dtypes savers
  const bool looks_numpy = descr.size() >= 3 && std::string_view("<>|=").find(descr[0]) != std::string_view::npos &&
                           std::isalpha(static_cast<unsigned char>(descr[1])) &&
                           std::all_of(descr.begin() + 2, descr.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!looks_numpy) invalid(source, "descr '" + descr + "' is not a NumPy dtype descriptor");
  const std::string kind = descr.substr(1);
  std::optional<DType> dtype;
  if (kind == "f4") dtype = DType::float32;
  if (kind == "f8") dtype = DType::float64;
  if (kind == "f2") dtype = DType::float16;
  if (kind == "V2") dtype = DType::bfloat16;
  if (kind == "i4") dtype = DType::int32;
  if (kind == "i8") dtype = DType::int64;
  if (kind == "u1") dtype = DType::uint8;
  if (kind == "b1") dtype = DType::bool_;
  if (!dtype) {
    throw NotImplementedError("Cannot load '" + std::string(source) + "': NumPy dtype '" + descr +
                              "' is not supported. keras-cpp tensors are float32 '<f4', float64 '<f8', float16 "
                              "'<f2', bfloat16 '<V2', int32 '<i4', int64 '<i8', uint8 '|u1' or bool '|b1'; "
                              "convert with arr.astype(...) before saving");
  }
  const bool big = descr[0] == '>';
  const bool little = descr[0] == '<';
  const bool swap = dtype_size(*dtype) > 1 && ((big && kLittleEndian) || (little && !kLittleEndian));
  return {*dtype, swap};
}

void byteswap(void* data, size_t count, size_t width) {
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < count; ++i, p += width) std::reverse(p, p + width);
}

std::string header_text(const Tensor& t) {
  // Byte for byte what numpy.lib.format writes: sorted keys, then room to grow the first axis in place.
  std::string dict = "{'descr': '" + descr_of(t.dtype()) + "', 'fortran_order': False, 'shape': " +
                     t.shape().str() + ", }";
  if (t.rank() > 0) {
    const size_t digits = std::to_string(t.shape().dims()[0]).size();
    dict += std::string(21 > digits ? 21 - digits : 0, ' ');
  }
  return dict;
}

std::vector<uint8_t> header_bytes(const Tensor& t) {
  const std::string dict = header_text(t);
  const size_t hlen = dict.size() + 1;  // + '\n'
  for (uint8_t major : {1, 2}) {
    const size_t prefix = kMagicSize + 2 + (major == 1 ? 2 : 4);
    const size_t pad = 64 - (prefix + hlen) % 64;
    const uint64_t total = hlen + pad;
    if (major == 1 && total > 0xffff) continue;
    std::vector<uint8_t> out(kMagic, kMagic + kMagicSize);
    out.push_back(major);
    out.push_back(0);
    for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out.push_back(static_cast<uint8_t>(total >> (8 * i)));
    out.insert(out.end(), dict.begin(), dict.end());
    out.insert(out.end(), pad, ' ');
    out.push_back('\n');
    return out;
  }
  throw ValueError("save_npy: header too long for shape " + t.shape().str());
}

Tensor read_npy(ByteSource& src) {
  unsigned char preamble[kMagicSize + 2];
  src.read(preamble, sizeof preamble, "the magic string");
  if (std::memcmp(preamble, kMagic, kMagicSize) != 0) {
    invalid(src.name(), "it does not start with the .npy magic string \\x93NUMPY");
  }
  const int major = preamble[6], minor = preamble[7];
  if (major < 1 || major > 3 || minor != 0) {
    invalid(src.name(), "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                            " (NumPy writes 1.0, 2.0 and 3.0)");
  }
  unsigned char len_bytes[4] = {0, 0, 0, 0};
  const size_t len_size = major == 1 ? 2 : 4;
  src.read(len_bytes, len_size, "the header length");
  uint64_t header_len = 0;
  for (size_t i = 0; i < len_size; ++i) header_len |= static_cast<uint64_t>(len_bytes[i]) << (8 * i);
  if (header_len > kMaxHeaderSize) {
    invalid(src.name(), "the header claims " + std::to_string(header_len) + " bytes, more than NumPy's limit of " +
                            std::to_string(kMaxHeaderSize));
  }
  std::string text(header_len, '\0');
  src.read(text.data(), header_len, "the header");
  const Header header = HeaderParser(text, src.name()).parse();
  if (header.fortran_order) {
    invalid(src.name(), "fortran_order=True (column-major) arrays are not supported; save "
                        "np.ascontiguousarray(arr) instead");
  }
  const Descr descr = parse_descr(header.descr, src.name());
  const Shape shape(header.shape);
  const uint64_t width = dtype_size(descr.dtype);
  uint64_t count = 1;
  for (int64_t d : header.shape) {
    if (d != 0 && count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / width / static_cast<uint64_t>(d)) {
      invalid(src.name(), "shape " + shape.str() + " has too many elements");
    }
    count *= static_cast<uint64_t>(d);
  }
  const uint64_t nbytes = count * width;
  const uint64_t available = src.size() - src.position();
  if (nbytes > available) {
    invalid(src.name(), "truncated: shape " + shape.str() + " of " + std::string(dtype_name(descr.dtype)) +
                            " needs " + std::to_string(nbytes) + " bytes of data, but only " +
                            std::to_string(available) + " follow the header");
  }
  Tensor t = Tensor::empty(shape, descr.dtype);
  src.read(t.mutable_data(), nbytes, "the array data");
  if (descr.swap) byteswap(t.mutable_data(), count, width);
  if (descr.dtype == DType::bool_) {
    // Any byte but 0 or 1 would be an invalid C++ bool; NumPy reads nonzero as True.
    auto* p = static_cast<unsigned char*>(t.mutable_data());
    for (uint64_t i = 0; i < count; ++i) p[i] = p[i] != 0;
  }
  return t;
}

Tensor host_copy(const Tensor& t, const char* who) {
  if (!t.defined()) throw ValueError(std::string(who) + ": cannot save an undefined tensor (None)");
  return t.to(Device::cpu());
}

// --- .npz: a zip of .npy entries.

class ZipEntrySource final : public ByteSource {
 public:
  ZipEntrySource(zip_file_t* file, std::string name, uint64_t size) : ByteSource(std::move(name), size), file_(file) {}

  // Reads to the end so libzip checks the CRC and that the entry holds no more than it claims.
  void finish() {
    char scratch[4096];
    while (true) {
      const uint64_t got = read_some(scratch, sizeof scratch);
      if (got == 0) return;
      drained_ += got;
      if (position() + drained_ > size()) invalid(name(), "the entry holds more data than its zip header claims");
    }
  }

 private:
  uint64_t read_some(void* dst, uint64_t n) override {
    const zip_int64_t got = zip_fread(file_.get(), dst, n);
    if (got < 0) invalid(name(), std::string("cannot decompress: ") + zip_file_strerror(file_.get()));
    return static_cast<uint64_t>(got);
  }
  std::unique_ptr<zip_file_t, EntryCloser> file_;
  uint64_t drained_ = 0;
};

std::vector<std::pair<std::string, Tensor>> read_npz(zip_t* za, const std::string& source, uint64_t archive_size) {
  // libzip opens an empty file as an empty archive; numpy.load calls it what it is.
  if (archive_size == 0) throw ValueError("Invalid .npz file '" + source + "': it is empty");
  const zip_int64_t n = zip_get_num_entries(za, 0);
  if (n < 0) throw ValueError("Invalid .npz file '" + source + "': cannot count its entries");
  std::vector<zip_stat_t> stats(static_cast<size_t>(n));
  uint64_t compressed_total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t& st = stats[static_cast<size_t>(i)];
    zip_stat_init(&st);
    if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0) {
      throw ValueError("Invalid .npz file '" + source + "': entry " + std::to_string(i) + ": " + zip_strerror(za));
    }
    const uint64_t need = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
    if ((st.valid & need) != need) {
      throw ValueError("Invalid .npz file '" + source + "': entry " + std::to_string(i) + " lacks its sizes");
    }
    const std::string name = st.name;
    if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE) {
      throw ValueError("Invalid .npz file '" + source + "': entry '" + name + "' uses compression method " +
                       std::to_string(st.comp_method) + "; NumPy writes only stored or deflated entries");
    }
    const bool lies = st.comp_method == ZIP_CM_STORE ? st.size != st.comp_size
                                                     : st.size / kMaxDeflateRatio > st.comp_size;
    if (lies) {
      throw ValueError("Invalid .npz file '" + source + "': entry '" + name + "' claims " + std::to_string(st.size) +
                       " bytes from " + std::to_string(st.comp_size) + " compressed bytes, which is impossible");
    }
    compressed_total += st.comp_size;
    if (compressed_total > archive_size) {
      // Entries sharing compressed data are how a small zip claims terabytes.
      throw ValueError("Invalid .npz file '" + source + "': its entries claim more compressed data (" +
                       std::to_string(compressed_total) + " bytes) than the archive holds (" +
                       std::to_string(archive_size) + ")");
    }
  }
  std::vector<std::pair<std::string, Tensor>> arrays;
  for (zip_int64_t i = 0; i < n; ++i) {
    const zip_stat_t& st = stats[static_cast<size_t>(i)];
    std::string key = st.name;
    if (!key.empty() && key.back() == '/') continue;  // a directory entry holds no array
    zip_file_t* file = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
    if (!file) {
      throw ValueError("Invalid .npz file '" + source + "': cannot open entry '" + key + "': " + zip_strerror(za));
    }
    ZipEntrySource entry(file, source + "[" + key + "]", st.size);
    Tensor t = read_npy(entry);
    entry.finish();
    if (key.ends_with(".npy")) key.resize(key.size() - 4);  // as numpy.load names its keys
    arrays.emplace_back(std::move(key), std::move(t));
  }
  return arrays;
}

std::vector<uint8_t> empty_zip() {
  // An end-of-central-directory record alone, as Python's zipfile writes for numpy.savez() of nothing.
  std::vector<uint8_t> out(22, 0);
  out[0] = 'P';
  out[1] = 'K';
  out[2] = 5;
  out[3] = 6;
  return out;
}

}  // namespace

Tensor npy_from_bytes(const void* data, size_t size, std::string_view source) {
  BufferSource src(data, size, source);
  return read_npy(src);
}

Tensor load_npy(const std::string& path) {
  FileSource src = FileSource::open(path);
  return read_npy(src);
}

std::vector<uint8_t> npy_to_bytes(const Tensor& t) {
  const Tensor host = host_copy(t, "npy_to_bytes");
  std::vector<uint8_t> out = header_bytes(host);
  const auto* p = static_cast<const uint8_t*>(host.data());
  out.insert(out.end(), p, p + host.nbytes());
  return out;
}

void save_npy(const std::string& path, const Tensor& t) {
  const Tensor host = host_copy(t, "save_npy");
  const std::vector<uint8_t> header = header_bytes(host);
  AtomicFile file(path);
  file.write(header.data(), header.size());
  file.write(host.data(), host.nbytes());
  file.commit();
}

std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw RuntimeError("Cannot open '" + path + "' for reading: " + errno_text());
  if (!S_ISREG(st.st_mode)) throw RuntimeError("Cannot read '" + path + "': it is not a regular file");
  int code = 0;
  Archive za(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!za) {
    if (code == ZIP_ER_OPEN || code == ZIP_ER_READ) {
      throw RuntimeError("Cannot read '" + path + "': " + zip_error_text(code));
    }
    throw ValueError("Invalid .npz file '" + path + "': " + zip_error_text(code));
  }
  return read_npz(za.get(), path, static_cast<uint64_t>(st.st_size));
}

std::vector<std::pair<std::string, Tensor>> npz_from_bytes(const void* data, size_t size, std::string_view source) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(data, size, 0, &error);
  if (!src) {
    const std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw RuntimeError("Cannot read '" + std::string(source) + "': " + text);
  }
  Archive za(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!za) {
    zip_source_free(src);
    const std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw ValueError("Invalid .npz file '" + std::string(source) + "': " + text);
  }
  zip_error_fini(&error);
  return read_npz(za.get(), std::string(source), size);
}

void save_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& arrays, bool compressed) {
  std::set<std::string_view> names;
  std::vector<Tensor> hosts;
  std::vector<std::vector<uint8_t>> headers;
  hosts.reserve(arrays.size());
  headers.reserve(arrays.size());
  for (const auto& [name, t] : arrays) {
    if (name.empty()) throw ValueError("save_npz: an array name is empty");
    if (!names.insert(name).second) throw ValueError("save_npz: the name '" + name + "' appears twice");
    hosts.push_back(host_copy(t, "save_npz"));
    headers.push_back(header_bytes(hosts.back()));
  }
  if (arrays.empty()) {
    const std::vector<uint8_t> bytes = empty_zip();
    AtomicFile file(path);
    file.write(bytes.data(), bytes.size());
    file.commit();
    return;
  }
  // libzip builds the archive in memory (entries borrow the tensors' bytes); the file is written in one go.
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!out) throw RuntimeError("save_npz: cannot create an archive buffer: " + std::string(zip_error_strerror(&error)));
  Archive za(zip_open_from_source(out, ZIP_TRUNCATE, &error));
  if (!za) {
    zip_source_free(out);
    throw RuntimeError("save_npz: cannot create an archive: " + std::string(zip_error_strerror(&error)));
  }
  zip_source_keep(out);
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> out_guard(out, &zip_source_free);
  auto fail = [&](const std::string& what) -> void {
    throw RuntimeError("save_npz: cannot write '" + path + "': " + what + ": " + zip_strerror(za.get()));
  };
  for (size_t i = 0; i < arrays.size(); ++i) {
    std::vector<zip_buffer_fragment_t> fragments;
    fragments.push_back({headers[i].data(), headers[i].size()});
    if (hosts[i].nbytes() > 0) {
      fragments.push_back({static_cast<zip_uint8_t*>(hosts[i].mutable_data()), hosts[i].nbytes()});
    }
    zip_source_t* entry = zip_source_buffer_fragment(za.get(), fragments.data(), fragments.size(), 0);
    if (!entry) fail("entry '" + arrays[i].first + "'");
    const std::string name = arrays[i].first + ".npy";
    const zip_int64_t index = zip_file_add(za.get(), name.c_str(), entry, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(entry);
      fail("entry '" + name + "'");
    }
    if (zip_set_file_compression(za.get(), static_cast<zip_uint64_t>(index), compressed ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 0) != 0) {
      fail("entry '" + name + "'");
    }
  }
  if (zip_close(za.get()) != 0) fail("the archive");
  (void)za.release();  // zip_close freed it

  if (zip_source_open(out) != 0) throw RuntimeError("save_npz: cannot read back the archive for '" + path + "'");
  AtomicFile file(path);
  std::vector<char> chunk(1 << 20);
  while (true) {
    const zip_int64_t got = zip_source_read(out, chunk.data(), chunk.size());
    if (got < 0) {
      zip_source_close(out);
      throw RuntimeError("save_npz: cannot read back the archive for '" + path + "'");
    }
    if (got == 0) break;
    file.write(chunk.data(), static_cast<size_t>(got));
  }
  zip_source_close(out);
  file.commit();
}

}  // namespace keras::io
