#include <keras/io/h5_file.h>

#include <keras/core/errors.h>
#include <keras/io/h5_global_heap.h>
#include <keras/io/io_utils.h>

#include <hdf5.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <utility>

namespace keras::io {

namespace {

// HDF5 keeps global state (and builds without thread safety have no lock of their own).
std::recursive_mutex& h5_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

// Holds the HDF5 lock for a call, and turns HDF5's printing of errors off (per thread in thread-safe
// builds): our exceptions carry the reason instead.
struct Lock {
  std::lock_guard<std::recursive_mutex> guard{h5_mutex()};
  Lock() {
    thread_local bool silenced = false;
    if (!silenced) {
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
      silenced = true;
    }
  }
};

// The outermost and innermost reasons on HDF5's error stack (which it then clears).
std::string hdf5_reason() {
  std::vector<std::string> reasons;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        if (e->desc != nullptr && e->desc[0] != '\0') static_cast<std::vector<std::string>*>(data)->push_back(e->desc);
        return 0;
      },
      &reasons);
  H5Eclear2(H5E_DEFAULT);
  if (reasons.empty()) return "unknown HDF5 error";
  if (reasons.size() == 1 || reasons.front() == reasons.back()) return reasons.front();
  return reasons.front() + " (" + reasons.back() + ")";
}

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw RuntimeError("HDF5 error in '" + file + "': " + what + ": " + hdf5_reason());
}

void close_id(hid_t id) {
  switch (H5Iget_type(id)) {
    case H5I_FILE: H5Fclose(id); break;
    case H5I_GROUP: H5Gclose(id); break;
    case H5I_DATASET: H5Dclose(id); break;
    case H5I_DATATYPE: H5Tclose(id); break;
    case H5I_DATASPACE: H5Sclose(id); break;
    case H5I_ATTR: H5Aclose(id); break;
    case H5I_GENPROP_LST: H5Pclose(id); break;
    default: H5Idec_ref(id); break;
  }
  H5Eclear2(H5E_DEFAULT);
}

// An owned HDF5 identifier, closed with the function its kind needs. Used under a Lock.
class Id {
 public:
  Id() = default;
  explicit Id(hid_t id) : id_(id) {}
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, -1)) {}
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() { reset(); }
  hid_t get() const { return id_; }
  hid_t release() { return std::exchange(id_, -1); }
  explicit operator bool() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0) close_id(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
};

// Limits on what untrusted files may claim.
constexpr int64_t kMaxDimension = int64_t{1} << 40;
using detail::kMaxDeflateRatio;
constexpr uint64_t kMaxAttributeElements = uint64_t{1} << 24;
constexpr uint64_t kMaxAttributeBytes = uint64_t{256} << 20;

std::string join_path(const std::string& base, const std::string& rel) {
  return base == "/" ? "/" + rel : base + "/" + rel;
}

std::vector<std::string> split_path(const std::string& path, const std::string& file) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (parts.back().empty()) {
      throw ValueError("'" + file + "': invalid HDF5 member path '" + path + "' (empty, absolute or with an empty component)");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

Id make_lcpl(const std::string& file) {
  Id lcpl(H5Pcreate(H5P_LINK_CREATE));
  if (!lcpl) fail(file, "cannot create link properties");
  if (H5Pset_create_intermediate_group(lcpl.get(), 1) < 0 || H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8) < 0) {
    fail(file, "cannot set link properties");
  }
  return lcpl;
}

Id make_fapl(const std::string& file) {
  Id fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl) fail(file, "cannot create file access properties");
#if H5_VERSION_GE(1, 10, 7)
  // File locks fail on some network file systems and protect nothing here: files are written under a
  // temporary name and renamed.
  if (H5Pset_file_locking(fapl.get(), false, true) < 0) fail(file, "cannot set file locking");
#endif
  return fapl;
}

// Dataspace extent: rank and dimensions, refusing what no real file holds.
std::vector<int64_t> extent(hid_t space, const std::string& file, const std::string& what) {
  const H5S_class_t cls = H5Sget_simple_extent_type(space);
  if (cls == H5S_SCALAR) return {};
  if (cls != H5S_SIMPLE) throw ValueError("'" + file + "': " + what + " has no data (a null dataspace)");
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0 || rank > H5S_MAX_RANK) fail(file, "cannot read the dataspace of " + what);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0) fail(file, "cannot read the dimensions of " + what);
  std::vector<int64_t> out;
  for (hsize_t d : dims) {
    if (d > static_cast<hsize_t>(kMaxDimension)) {
      throw ValueError("'" + file + "': " + what + " claims a dimension of " + std::to_string(d) + ", which is absurd");
    }
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

uint64_t element_count(const std::vector<int64_t>& dims, const std::string& file, const std::string& what) {
  uint64_t n = 1;
  for (int64_t d : dims) {
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d) / 16) {
      throw ValueError("'" + file + "': " + what + " claims more elements than any file can hold");
    }
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

// --- Types: h5py's storage of NumPy's dtypes.

Id float16_type(H5T_order_t order) {
  Id t(H5Tcopy(H5T_IEEE_F32LE));
  // IEEE half: sign bit 15, exponent bits 10-14 (bias 15), mantissa bits 0-9, as h5py builds it.
  H5Tset_fields(t.get(), 15, 10, 5, 0, 10);
  H5Tset_size(t.get(), 2);
  H5Tset_precision(t.get(), 16);
  H5Tset_ebias(t.get(), 15);
  H5Tset_order(t.get(), order);
  return t;
}

Id bool_type() {
  // NumPy bool as h5py stores it: an enum over int8 with FALSE = 0, TRUE = 1.
  Id t(H5Tenum_create(H5T_NATIVE_INT8));
  const int8_t f = 0, tr = 1;
  H5Tenum_insert(t.get(), "FALSE", &f);
  H5Tenum_insert(t.get(), "TRUE", &tr);
  return t;
}

// The stored type of a dtype (file = true) or its in-memory twin.
Id h5_type(DType dtype, bool file) {
  const H5T_order_t native = H5Tget_order(H5T_NATIVE_FLOAT);
  switch (dtype) {
    case DType::float32: return Id(H5Tcopy(file ? H5T_IEEE_F32LE : H5T_NATIVE_FLOAT));
    case DType::float64: return Id(H5Tcopy(file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE));
    case DType::float16: return float16_type(file ? H5T_ORDER_LE : native);
    case DType::bfloat16: return Id(H5Tcreate(H5T_OPAQUE, 2));
    case DType::int32: return Id(H5Tcopy(file ? H5T_STD_I32LE : H5T_NATIVE_INT32));
    case DType::int64: return Id(H5Tcopy(file ? H5T_STD_I64LE : H5T_NATIVE_INT64));
    case DType::uint8: return Id(H5Tcopy(file ? H5T_STD_U8LE : H5T_NATIVE_UINT8));
    case DType::bool_: return bool_type();
  }
  return Id();
}

std::string numeric_dtype_name(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) return "float" + std::to_string(size * 8);
  if (cls == H5T_INTEGER) return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(size * 8);
  if (cls == H5T_ENUM) return "enum";
  return "";
}

bool is_bool_enum(hid_t type) {
  if (H5Tget_class(type) != H5T_ENUM || H5Tget_size(type) != 1 || H5Tget_nmembers(type) != 2) return false;
  bool ok = true;
  for (unsigned i = 0; i < 2; ++i) {
    char* name = H5Tget_member_name(type, i);
    if (name == nullptr) return false;
    ok = ok && std::strcmp(name, i == 0 ? "FALSE" : "TRUE") == 0;
    H5free_memory(name);
  }
  return ok;
}

}  // namespace

// One open group or dataset, and the file it belongs to.
struct H5FileState {
  hid_t id = -1;
  std::string name;
  // A file opened from disk has its global heaps checked (h5_global_heap.h) before the first
  // variable-length string is read from it; images are checked as they open, our own files never.
  bool heaps_checked = true;
  ~H5FileState() {
    Lock lock;
    if (id >= 0) close_id(id);
  }
};

struct H5Handle {
  std::shared_ptr<H5FileState> file;
  hid_t id = -1;
  std::string path;
  H5Handle(std::shared_ptr<H5FileState> f, hid_t i, std::string p) : file(std::move(f)), id(i), path(std::move(p)) {}
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() {
    Lock lock;
    if (id >= 0 && file->id >= 0) close_id(id);
  }
  const std::string& filename() const { return file->name; }
  hid_t get() const {
    if (id < 0 || file->id < 0) throw RuntimeError("HDF5 file '" + file->name + "' was closed; '" + path + "' cannot be used");
    return id;
  }
};

namespace {

// Opens the object at `path` below `h`; an empty Id when there is none. External and user-defined
// links, which would open other files, are refused.
Id open_member(const H5Handle& h, const std::string& path) {
  const std::vector<std::string> parts = split_path(path, h.filename());
  Id current;
  hid_t loc = h.get();
  for (size_t i = 0; i < parts.size(); ++i) {
    const char* name = parts[i].c_str();
    const htri_t exists = H5Lexists(loc, name, H5P_DEFAULT);
    if (exists < 0) fail(h.filename(), "cannot look up '" + join_path(h.path, path) + "'");
    if (exists == 0) return Id();
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) fail(h.filename(), "cannot look up '" + join_path(h.path, path) + "'");
    if (info.type != H5L_TYPE_HARD && info.type != H5L_TYPE_SOFT) {
      throw ValueError("'" + h.filename() + "': '" + join_path(h.path, path) +
                       "' is an external link; links to other files are not followed");
    }
    const hid_t next = H5Oopen(loc, name, H5P_DEFAULT);
    if (next < 0) {
      if (info.type == H5L_TYPE_SOFT) {  // a dangling soft link: nothing there
        H5Eclear2(H5E_DEFAULT);
        return Id();
      }
      fail(h.filename(), "cannot open '" + join_path(h.path, path) + "'");
    }
    current = Id(next);
    loc = current.get();
    if (i + 1 < parts.size() && H5Iget_type(loc) != H5I_GROUP) return Id();
  }
  return current;
}

Id open_attribute(const H5Handle& h, const std::string& name) {
  const htri_t exists = H5Aexists(h.get(), name.c_str());
  if (exists < 0) fail(h.filename(), "cannot look up attribute '" + name + "' of '" + h.path + "'");
  if (exists == 0) throw ValueError("'" + h.filename() + "': '" + h.path + "' has no attribute '" + name + "'");
  Id attr(H5Aopen(h.get(), name.c_str(), H5P_DEFAULT));
  if (!attr) fail(h.filename(), "cannot open attribute '" + name + "' of '" + h.path + "'");
  return attr;
}

Id string_type(const H5StringType& type, size_t fixed_size) {
  Id t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), type.variable_length ? H5T_VARIABLE : std::max<size_t>(fixed_size, 1));
  H5Tset_cset(t.get(), type.utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
  // h5py: variable-length strings are NUL-terminated, NumPy's fixed-length ones NUL-padded.
  H5Tset_strpad(t.get(), type.variable_length ? H5T_STR_NULLTERM : H5T_STR_NULLPAD);
  return t;
}

void delete_attribute_if_present(const H5Handle& h, const std::string& name) {
  const htri_t exists = H5Aexists(h.get(), name.c_str());
  if (exists < 0) fail(h.filename(), "cannot look up attribute '" + name + "' of '" + h.path + "'");
  if (exists > 0 && H5Adelete(h.get(), name.c_str()) < 0) {
    fail(h.filename(), "cannot replace attribute '" + name + "' of '" + h.path + "'");
  }
}

void write_strings(const H5Handle& h, const std::string& name, const std::vector<std::string>& values, bool scalar,
                   const H5StringType& type) {
  for (const std::string& v : values) {
    if (v.find('\0') != std::string::npos) {
      throw ValueError("HDF5 attribute '" + name + "' of '" + h.path + "' in '" + h.filename() +
                       "': strings cannot hold NUL characters");
    }
  }
  delete_attribute_if_present(h, name);
  size_t longest = 0;
  for (const std::string& v : values) longest = std::max(longest, v.size());
  Id t = string_type(type, longest);
  const hsize_t n = values.size();
  Id space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr));
  Id attr(H5Acreate2(h.get(), name.c_str(), t.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!space || !attr) fail(h.filename(), "cannot create attribute '" + name + "' of '" + h.path + "'");
  herr_t status = 0;
  if (type.variable_length) {
    std::vector<const char*> pointers;
    for (const std::string& v : values) pointers.push_back(v.c_str());
    if (!pointers.empty()) status = H5Awrite(attr.get(), t.get(), pointers.data());
  } else {
    const size_t width = std::max<size_t>(longest, 1);
    std::vector<char> buffer(values.size() * width, '\0');
    for (size_t i = 0; i < values.size(); ++i) std::memcpy(buffer.data() + i * width, values[i].data(), values[i].size());
    if (!buffer.empty()) status = H5Awrite(attr.get(), t.get(), buffer.data());
  }
  if (status < 0) fail(h.filename(), "cannot write attribute '" + name + "' of '" + h.path + "'");
}

// HDF5 reads variable-length strings from the file's global heap, trusting its sizes: check them
// first, once per file.
void check_heaps_once(H5FileState& file) {
  if (file.heaps_checked) return;
  const int fd = ::open(file.name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw RuntimeError("Cannot open '" + file.name + "' for reading: " + detail::errno_text());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw RuntimeError("Cannot read '" + file.name + "': " + detail::errno_text());
  detail::check_global_heaps(
      static_cast<uint64_t>(st.st_size),
      [fd](uint64_t offset, size_t n, uint8_t* out) {
        size_t done = 0;
        while (done < n) {
          const ssize_t got = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
          if (got <= 0) return false;
          done += static_cast<size_t>(got);
        }
        return true;
      },
      file.name);
  file.heaps_checked = true;
}

// Every string of a string attribute, whatever its storage.
std::vector<std::string> read_strings(const H5Handle& h, const std::string& name, bool* scalar) {
  Id attr = open_attribute(h, name);
  Id ftype(H5Aget_type(attr.get()));
  Id space(H5Aget_space(attr.get()));
  if (!ftype || !space) fail(h.filename(), "cannot read attribute '" + name + "' of '" + h.path + "'");
  const std::string what = "attribute '" + name + "' of '" + h.path + "'";
  const std::vector<int64_t> dims = extent(space.get(), h.filename(), what);
  if (scalar) *scalar = dims.empty();
  const uint64_t count = element_count(dims, h.filename(), what);
  if (H5Tget_class(ftype.get()) != H5T_STRING) {
    if (count == 0) return {};  // h5py's empty list: np.asarray([]) is float64
    throw ValueError("'" + h.filename() + "': " + what + " is not a string (it holds " +
                     (numeric_dtype_name(ftype.get()).empty() ? "another HDF5 type" : numeric_dtype_name(ftype.get())) + ")");
  }
  if (count > kMaxAttributeElements) throw ValueError("'" + h.filename() + "': " + what + " holds an absurd number of strings");
  std::vector<std::string> out;
  if (count == 0) return out;
  const H5T_cset_t cset = H5Tget_cset(ftype.get());
  if (H5Tis_variable_str(ftype.get()) > 0) {
    check_heaps_once(*h.file);
    Id mtype(H5Tcopy(H5T_C_S1));
    H5Tset_size(mtype.get(), H5T_VARIABLE);
    H5Tset_cset(mtype.get(), cset);
    std::vector<char*> pointers(count, nullptr);
    if (H5Aread(attr.get(), mtype.get(), pointers.data()) < 0) fail(h.filename(), "cannot read " + what);
    for (char* p : pointers) out.emplace_back(p != nullptr ? p : "");
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(mtype.get(), space.get(), H5P_DEFAULT, pointers.data());
#else
    H5Dvlen_reclaim(mtype.get(), space.get(), H5P_DEFAULT, pointers.data());
#endif
    return out;
  }
  const size_t width = H5Tget_size(ftype.get());
  if (width == 0 || width > kMaxAttributeBytes / count) {
    throw ValueError("'" + h.filename() + "': " + what + " claims an absurd size");
  }
  Id mtype(H5Tcopy(ftype.get()));
  std::vector<char> buffer(count * width);
  if (H5Aread(attr.get(), mtype.get(), buffer.data()) < 0) fail(h.filename(), "cannot read " + what);
  const H5T_str_t pad = H5Tget_strpad(ftype.get());
  for (uint64_t i = 0; i < count; ++i) {
    std::string s(buffer.data() + i * width, width);
    if (pad == H5T_STR_SPACEPAD) {
      s.erase(s.find_last_not_of(' ') + 1);
    } else {
      s.resize(std::strlen(s.c_str()));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

// --- H5Object

H5Object::H5Object(std::shared_ptr<H5Handle> handle) : handle_(std::move(handle)) {}

const std::string& H5Object::path() const { return handle_->path; }
const std::string& H5Object::filename() const { return handle_->filename(); }

bool H5Object::has_attribute(const std::string& name) const {
  Lock lock;
  const htri_t exists = H5Aexists(handle_->get(), name.c_str());
  if (exists < 0) fail(filename(), "cannot look up attribute '" + name + "' of '" + path() + "'");
  return exists > 0;
}

std::vector<std::string> H5Object::attribute_names() const {
  Lock lock;
  std::vector<std::string> names;
  hsize_t index = 0;
  const herr_t status = H5Aiterate2(
      handle_->get(), H5_INDEX_NAME, H5_ITER_INC, &index,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  if (status < 0) fail(filename(), "cannot list the attributes of '" + path() + "'");
  return names;
}

H5AttributeInfo H5Object::attribute_info(const std::string& name) const {
  Lock lock;
  Id attr = open_attribute(*handle_, name);
  Id type(H5Aget_type(attr.get()));
  Id space(H5Aget_space(attr.get()));
  if (!type || !space) fail(filename(), "cannot read attribute '" + name + "' of '" + path() + "'");
  H5AttributeInfo info;
  info.shape = Shape(extent(space.get(), filename(), "attribute '" + name + "' of '" + path() + "'"));
  if (H5Tget_class(type.get()) == H5T_STRING) {
    info.is_string = true;
    info.string_type.variable_length = H5Tis_variable_str(type.get()) > 0;
    info.string_type.utf8 = H5Tget_cset(type.get()) == H5T_CSET_UTF8;
  } else {
    info.dtype = numeric_dtype_name(type.get());
  }
  return info;
}

std::string H5Object::read_string_attribute(const std::string& name) const {
  Lock lock;
  std::vector<std::string> values = read_strings(*handle_, name, nullptr);
  if (values.size() != 1) {
    throw ValueError("'" + filename() + "': attribute '" + name + "' of '" + path() + "' holds " +
                     std::to_string(values.size()) + " strings; expected one");
  }
  return values[0];
}

std::vector<std::string> H5Object::read_string_list_attribute(const std::string& name) const {
  Lock lock;
  return read_strings(*handle_, name, nullptr);
}

void H5Object::write_string_attribute(const std::string& name, const std::string& value, H5StringType type) {
  Lock lock;
  write_strings(*handle_, name, {value}, true, type);
}

void H5Object::write_string_list_attribute(const std::string& name, const std::vector<std::string>& values,
                                           H5StringType type) {
  Lock lock;
  if (!values.empty()) {
    write_strings(*handle_, name, values, false, type);
    return;
  }
  delete_attribute_if_present(*handle_, name);
  const hsize_t zero = 0;
  Id space(H5Screate_simple(1, &zero, nullptr));
  Id attr(H5Acreate2(handle_->get(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!space || !attr) fail(filename(), "cannot create attribute '" + name + "' of '" + path() + "'");
}

// --- H5Dataset

Shape H5Dataset::shape() const {
  Lock lock;
  Id space(H5Dget_space(handle_->get()));
  if (!space) fail(filename(), "cannot read the dataspace of '" + path() + "'");
  return Shape(extent(space.get(), filename(), "dataset '" + path() + "'"));
}

DType H5Dataset::dtype() const {
  Lock lock;
  Id type(H5Dget_type(handle_->get()));
  if (!type) fail(filename(), "cannot read the type of '" + path() + "'");
  const H5T_class_t cls = H5Tget_class(type.get());
  const size_t size = H5Tget_size(type.get());
  if (size == 2 && (cls == H5T_OPAQUE || cls == H5T_INTEGER || cls == H5T_FLOAT) && has_attribute("dtype")) {
    const H5AttributeInfo info = attribute_info("dtype");
    if (info.is_string && read_string_attribute("dtype") == "bfloat16") return DType::bfloat16;
  }
  if (cls == H5T_FLOAT) {
    size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
    H5Tget_fields(type.get(), &spos, &epos, &esize, &mpos, &msize);
    if (size == 4) return DType::float32;
    if (size == 8) return DType::float64;
    if (size == 2 && esize == 5 && msize == 10) return DType::float16;
    if (size == 2 && esize == 8 && msize == 7) return DType::bfloat16;
  } else if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type.get()) != H5T_SGN_NONE;
    if (!is_signed && size == 1) return DType::uint8;
    if (size <= 2 || (is_signed && size == 4)) return DType::int32;
    if (size <= 8) return DType::int64;
  } else if (is_bool_enum(type.get())) {
    return DType::bool_;
  }
  const std::string name = numeric_dtype_name(type.get());
  throw ValueError("'" + filename() + "': dataset '" + path() + "' holds " +
                   (name.empty() ? "an HDF5 type (class " + std::to_string(static_cast<int>(cls)) + ")" : name) +
                   " data, which keras-cpp cannot read");
}

bool H5Dataset::chunked() const {
  Lock lock;
  Id plist(H5Dget_create_plist(handle_->get()));
  if (!plist) fail(filename(), "cannot read the layout of '" + path() + "'");
  return H5Pget_layout(plist.get()) == H5D_CHUNKED;
}

Tensor H5Dataset::read() const {
  Lock lock;
  const Shape s = shape();
  const DType dt = dtype();
  const std::string what = "dataset '" + path() + "'";
  const uint64_t count = element_count(s.dims(), filename(), what);
  const uint64_t nbytes = count * dtype_size(dt);
  hsize_t file_size = 0;
  if (H5Fget_filesize(handle_->file->id, &file_size) < 0) fail(filename(), "cannot read the file size");
  // Compressed chunks cannot expand beyond deflate's ratio; unallocated data (all fill value) is refused
  // beyond that too, so a tiny file cannot make us allocate terabytes.
  if (nbytes / kMaxDeflateRatio > file_size + (uint64_t{1} << 20)) {
    throw ValueError("'" + filename() + "': " + what + " of shape " + s.str() + " claims " + std::to_string(nbytes) +
                     " bytes, more than a file of " + std::to_string(file_size) + " bytes can hold");
  }
  Tensor t = Tensor::empty(s, dt);
  if (count == 0) return t;
  Id ftype(H5Dget_type(handle_->get()));
  if (!ftype) fail(filename(), "cannot read the type of '" + path() + "'");
  Id mtype;
  if (dt == DType::bfloat16) {
    // Raw 2-byte patterns: opaque or float data as stored, integer data as native uint16.
    mtype = H5Tget_class(ftype.get()) == H5T_INTEGER ? Id(H5Tcopy(H5T_NATIVE_UINT16)) : Id(H5Tcopy(ftype.get()));
    if (H5Tget_class(ftype.get()) == H5T_FLOAT) H5Tset_order(mtype.get(), H5Tget_order(H5T_NATIVE_FLOAT));
  } else {
    mtype = h5_type(dt, false);
  }
  if (!mtype || H5Dread(handle_->get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, t.mutable_data()) < 0) {
    fail(filename(), "cannot read " + what);
  }
  if (dt == DType::bool_) {
    // HDF5 fills enum values it cannot map with all ones: any byte but 0 or 1 would be an invalid bool.
    auto* p = static_cast<unsigned char*>(t.mutable_data());
    for (uint64_t i = 0; i < count; ++i) p[i] = p[i] != 0;
  }
  return t;
}

// --- H5Group

std::vector<std::string> H5Group::children() const {
  Lock lock;
  std::vector<std::string> names;
  hsize_t index = 0;
  const herr_t status = H5Literate(
      handle_->get(), H5_INDEX_NAME, H5_ITER_INC, &index,
      [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  if (status < 0) fail(filename(), "cannot list the members of '" + path() + "'");
  return names;
}

bool H5Group::has_group(const std::string& path) const {
  Lock lock;
  Id id = open_member(*handle_, path);
  return id && H5Iget_type(id.get()) == H5I_GROUP;
}

bool H5Group::has_dataset(const std::string& path) const {
  Lock lock;
  Id id = open_member(*handle_, path);
  return id && H5Iget_type(id.get()) == H5I_DATASET;
}

H5Group H5Group::group(const std::string& path) const {
  Lock lock;
  Id id = open_member(*handle_, path);
  if (!id || H5Iget_type(id.get()) != H5I_GROUP) {
    throw ValueError("'" + filename() + "' has no group '" + join_path(this->path(), path) + "'" +
                     (id ? " (it is a dataset)" : ""));
  }
  std::string full = join_path(this->path(), path);
  return H5Group(std::make_shared<H5Handle>(handle_->file, id.release(), std::move(full)));
}

H5Dataset H5Group::dataset(const std::string& path) const {
  Lock lock;
  Id id = open_member(*handle_, path);
  if (!id || H5Iget_type(id.get()) != H5I_DATASET) {
    throw ValueError("'" + filename() + "' has no dataset '" + join_path(this->path(), path) + "'" +
                     (id ? " (it is a group)" : ""));
  }
  std::string full = join_path(this->path(), path);
  return H5Dataset(std::make_shared<H5Handle>(handle_->file, id.release(), std::move(full)));
}

H5Group H5Group::create_group(const std::string& path) {
  Lock lock;
  split_path(path, filename());
  Id lcpl = make_lcpl(filename());
  Id id(H5Gcreate2(handle_->get(), path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!id) fail(filename(), "cannot create group '" + join_path(this->path(), path) + "'");
  std::string full = join_path(this->path(), path);
  return H5Group(std::make_shared<H5Handle>(handle_->file, id.release(), std::move(full)));
}

H5Group H5Group::require_group(const std::string& path) {
  Lock lock;
  if (has_group(path)) return group(path);
  return create_group(path);
}

H5Dataset H5Group::create_dataset(const std::string& path, const Tensor& value) {
  Lock lock;
  split_path(path, filename());
  if (!value.defined()) throw ValueError("'" + filename() + "': cannot write an undefined tensor (None) as '" + path + "'");
  const Tensor host = value.to(Device::cpu());
  std::vector<hsize_t> dims(host.shape().dims().begin(), host.shape().dims().end());
  Id space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Id ftype = h5_type(host.dtype(), true);
  Id mtype = h5_type(host.dtype(), false);
  Id lcpl = make_lcpl(filename());
  if (!space || !ftype || !mtype) fail(filename(), "cannot describe dataset '" + join_path(this->path(), path) + "'");
  Id id(H5Dcreate2(handle_->get(), path.c_str(), ftype.get(), space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!id) fail(filename(), "cannot create dataset '" + join_path(this->path(), path) + "'");
  if (host.size() > 0 && H5Dwrite(id.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, host.data()) < 0) {
    fail(filename(), "cannot write dataset '" + join_path(this->path(), path) + "'");
  }
  std::string full = join_path(this->path(), path);
  H5Dataset dataset(std::make_shared<H5Handle>(handle_->file, id.release(), std::move(full)));
  if (host.dtype() == DType::bfloat16) dataset.write_string_attribute("dtype", "bfloat16");
  return dataset;
}

// --- H5File

H5File H5File::adopt(int64_t fid, const std::string& name) {
  auto state = std::make_shared<H5FileState>();
  state->id = fid;
  state->name = name;
  Id root(H5Gopen2(fid, "/", H5P_DEFAULT));
  if (!root) fail(name, "cannot open the root group");
  return H5File(std::make_shared<H5Handle>(std::move(state), root.release(), "/"));
}

H5File H5File::open(const std::string& path) {
  Lock lock;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw RuntimeError("Cannot open '" + path + "' for reading: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw RuntimeError("Cannot read '" + path + "': it is not a regular file");
  Id fapl = make_fapl(path);
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) fail(path, "cannot read the file");
  if (is_hdf5 == 0) throw ValueError("'" + path + "' is not an HDF5 file (no HDF5 signature found)");
  const hid_t fid = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (fid < 0) fail(path, "cannot open the file");
  H5File file = adopt(fid, path);
  file.handle_->file->heaps_checked = false;
  return file;
}

H5File H5File::open_image(const void* data, size_t size, const std::string& name) {
  Lock lock;
  // Without an image the core driver would read the file called `name` from disk instead.
  if (data == nullptr || size == 0) throw ValueError("'" + name + "' is not a valid HDF5 file: it is empty");
  detail::check_global_heaps(static_cast<const uint8_t*>(data), size, name);
  Id fapl = make_fapl(name);
  // The core driver serves the file from memory; the image is copied in, so `data` may go afterwards.
  if (H5Pset_fapl_core(fapl.get(), 1 << 16, false) < 0 || H5Pset_file_image(fapl.get(), const_cast<void*>(data), size) < 0) {
    fail(name, "cannot set up an in-memory file");
  }
  const hid_t fid = H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (fid < 0) throw ValueError("'" + name + "' is not a valid HDF5 file: " + hdf5_reason());
  return adopt(fid, name);
}

H5File H5File::create(const std::string& path) {
  Lock lock;
  Id fapl = make_fapl(path);
  const hid_t fid = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (fid < 0) fail(path, "cannot create the file");
  return adopt(fid, path);
}

H5File H5File::create_in_memory(const std::string& name) {
  Lock lock;
  Id fapl = make_fapl(name);
  // No backing store: the core driver never writes to disk; the file lives in growing 4 MiB steps.
  if (H5Pset_fapl_core(fapl.get(), 4 << 20, false) < 0) fail(name, "cannot set up an in-memory file");
  const hid_t fid = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (fid < 0) fail(name, "cannot create the in-memory file");
  return adopt(fid, name);
}

std::vector<uint8_t> H5File::image() {
  Lock lock;
  const hid_t fid = handle_->file->id;
  if (fid < 0) throw RuntimeError("HDF5 file '" + filename() + "' was closed; its image cannot be taken");
  if (H5Fflush(fid, H5F_SCOPE_GLOBAL) < 0) fail(filename(), "cannot flush the file");
  const ssize_t size = H5Fget_file_image(fid, nullptr, 0);
  if (size < 0) fail(filename(), "cannot size the file's image");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && H5Fget_file_image(fid, bytes.data(), bytes.size()) != size) fail(filename(), "cannot copy the file's image");
  return bytes;
}

void H5File::close() {
  Lock lock;
  H5FileState& state = *handle_->file;
  if (state.id < 0) return;
  // Groups and datasets still open would keep the file open: close them all now; their handles
  // refuse further use.
  const unsigned kinds = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
  const ssize_t open = H5Fget_obj_count(state.id, kinds);
  if (open < 0) fail(state.name, "cannot count the open objects");
  std::vector<hid_t> ids(static_cast<size_t>(open));
  if (open > 0 && H5Fget_obj_ids(state.id, kinds, ids.size(), ids.data()) < 0) fail(state.name, "cannot list the open objects");
  for (hid_t id : ids) close_id(id);
  const hid_t fid = state.id;
  state.id = -1;
  if (H5Fclose(fid) < 0) fail(state.name, "cannot close the file");
}

uint64_t H5File::file_size() const {
  Lock lock;
  hsize_t size = 0;
  if (handle_->file->id < 0 || H5Fget_filesize(handle_->file->id, &size) < 0) fail(filename(), "cannot read the file size");
  return size;
}

}  // namespace keras::io
