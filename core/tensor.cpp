#include <keras/core/tensor.h>

#include <keras/core/allocator.h>
#include <keras/core/graph/trace.h>
#include <keras/kernels/cast.h>
#include <keras/kernels/device_memory.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>
#include <ostream>

namespace keras {

namespace {
std::atomic<uint64_t> next_tensor_id{1};
constexpr size_t kAlignment = 64;
}  // namespace

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  check_device_available(device);
  if (nbytes > std::numeric_limits<size_t>::max() - kAlignment) {
    throw RuntimeError("Out of memory: cannot allocate " + std::to_string(nbytes) + " bytes on " + device.str());
  }
  if (!device.is_cpu()) return std::shared_ptr<Storage>(new Storage(kernels::device_allocate(device, nbytes), nbytes, device));
  void* data = memory::allocate_host(nbytes);
  if (!data) {
    throw RuntimeError("Out of memory: could not allocate " + std::to_string(nbytes) + " bytes on " +
                       device.str());
  }
  return std::shared_ptr<Storage>(new Storage(data, nbytes, device));
}

Storage::~Storage() {
  if (device_.is_cpu()) {
    memory::deallocate_host(data_, nbytes_);
  } else {
    kernels::device_deallocate(device_, data_, nbytes_);
  }
}

Tensor Tensor::view(std::shared_ptr<Storage> storage, size_t offset, Shape shape, DType dtype) {
  const int64_t size = shape.size();
  const size_t available = offset <= storage->nbytes() ? storage->nbytes() - offset : 0;
  if (offset > storage->nbytes() || static_cast<size_t>(size) > available / dtype_size(dtype)) {
    throw ValueError("Tensor view of shape " + shape.str() + " does not fit its buffer");
  }
  Tensor t(std::make_shared<const Impl>(Impl{std::move(storage), offset, std::move(shape), dtype, size, next_tensor_id++}));
  if (graph::detail::tracing()) graph::detail::on_view(t);
  return t;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  const int64_t size = shape.size();  // throws on None
  // size * 8 can pass 2^64 for a shape whose element count fits in int64: refuse it before it wraps.
  if (static_cast<size_t>(size) > (std::numeric_limits<size_t>::max() - kAlignment) / dtype_size(dtype)) {
    throw ValueError("Cannot allocate a tensor of shape " + shape.str() + " and dtype " +
                     std::string(dtype_name(dtype)) + ": its size in bytes overflows");
  }
  return view(Storage::allocate(static_cast<size_t>(size) * dtype_size(dtype), device), 0, shape, dtype);
}

Tensor Tensor::from_data(const void* data, Shape shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, Device::cpu());
  if (t.nbytes()) std::memcpy(t.mutable_data(), data, t.nbytes());
  return t.to(device);
}

Tensor Tensor::from_data(const void* data, Shape shape, DType dtype, size_t count) {
  if (static_cast<int64_t>(count) != shape.size()) {
    throw ValueError("Cannot make a tensor of shape " + shape.str() + " (" + std::to_string(shape.size()) +
                     " elements) from " + std::to_string(count) + " values");
  }
  return from_data(data, std::move(shape), dtype, Device::cpu());
}

Tensor Tensor::scalar(double value, DType dtype, Device device) {
  Tensor t = empty(Shape{}, dtype, Device::cpu());
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    *t.mutable_data<T>() = element_cast<T>(value);
  });
  return t.to(device);
}

void Tensor::throw_undefined() {
  throw ValueError("Tensor is undefined (None): it holds no value, e.g. the gradient of an unconnected source");
}

void Tensor::check_access(DType requested) const {
  if (requested != dtype()) {
    throw ValueError("Cannot read a tensor of dtype " + std::string(dtype_name(dtype())) + " as " +
                     std::string(dtype_name(requested)) + "; use astype() first");
  }
  if (!device().is_cpu()) {
    throw ValueError("Cannot read the data of a tensor on " + device().str() + " from the host; use .to(\"cpu\")");
  }
}

template <TensorElement T>
std::vector<T> Tensor::to_vector() const {
  if (graph::detail::tracing()) graph::detail::check_host_read(*this, "to_vector()");
  const Tensor host = to(Device::cpu());
  std::vector<T> out(static_cast<size_t>(size()));
  visit_dtype(dtype(), [&](auto tag) {
    using S = decltype(tag);
    const S* src = static_cast<const S*>(host.data());
    for (size_t i = 0; i < out.size(); ++i) out[i] = element_cast<T>(src[i]);
  });
  return out;
}

template <TensorElement T>
T Tensor::item() const {
  if (size() != 1) {
    throw ValueError("item() needs a tensor with exactly one element, but received shape " + shape().str());
  }
  if (graph::detail::tracing()) graph::detail::check_host_read(*this, "item()");
  return to_vector<T>()[0];
}

#define KERAS_INSTANTIATE(T)                             \
  template std::vector<T> Tensor::to_vector<T>() const; \
  template T Tensor::item<T>() const;
KERAS_INSTANTIATE(float)
KERAS_INSTANTIATE(double)
KERAS_INSTANTIATE(float16_t)
KERAS_INSTANTIATE(bfloat16_t)
KERAS_INSTANTIATE(int32_t)
KERAS_INSTANTIATE(int64_t)
KERAS_INSTANTIATE(uint8_t)
KERAS_INSTANTIATE(bool)
#undef KERAS_INSTANTIATE

Tensor Tensor::astype(DType dtype) const {
  if (dtype == this->dtype()) return *this;
  return kernels::cast(*this, dtype);
}

Tensor Tensor::to(Device device) const {
  if (device == this->device()) return *this;
  check_device_available(device);
  Tensor dst = empty(shape(), dtype(), device);
  if (nbytes()) kernels::copy_bytes(dst.mutable_data(), device, data(), this->device(), nbytes());
  return dst;
}

// --- Printing: Tensor::str() is NumPy's str(ndarray) with its default print options (precision 8,
// threshold 1000, edgeitems 3, linewidth 75), ported from numpy/core/arrayprint.py.
namespace {

constexpr int kPrecision = 8;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kLineWidth = 75;

// |x| = d[0].d[1]d[2]... * 10^exponent, with the fewest digits that read back as x in its own type.
struct Digits {
  bool negative = false;
  std::string digits = "0";
  int exponent = 0;
};

// Splits printf/to_chars scientific text ("-1.25e+03") into Digits.
Digits parse_scientific(std::string_view s) {
  Digits d;
  d.digits.clear();
  size_t i = 0;
  if (s[i] == '-') {
    d.negative = true;
    ++i;
  }
  for (; i < s.size() && s[i] != 'e'; ++i) {
    if (s[i] != '.') d.digits += s[i];
  }
  d.exponent = std::atoi(std::string(s.substr(i + 1)).c_str());
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  return d;
}

template <class T>
constexpr bool is_half_v = std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>;

// Whether decimal `v` rounds to the half-type value with positive bits `b` (ties to even).
template <class T>
bool reads_back(long double v, uint16_t b) {
  auto value = [](uint32_t bits) {
    T t;
    t.bits = static_cast<uint16_t>(bits);
    return static_cast<long double>(static_cast<float>(t));
  };
  const long double x = value(b);
  const long double prev = b > 0 ? value(b - 1u) : 0.0L;
  const uint16_t inf_bits = std::is_same_v<T, float16_t> ? 0x7c00u : 0x7f80u;
  const long double next = b + 1u < inf_bits ? value(b + 1u) : x + (x - prev);
  const long double lo = (prev + x) / 2, hi = (x + next) / 2;
  if (v > lo && v < hi) return true;
  return (v == lo || v == hi) && (b & 1u) == 0;
}

template <class T>
Digits shortest(T x) {
  char buf[64];
  if constexpr (is_half_v<T>) {
    const uint16_t b = x.bits & 0x7fffu;
    const long double v = static_cast<float>(x);
    if (b == 0) return Digits{(x.bits & 0x8000u) != 0, "0", 0};
    for (int p = 1; p < 12; ++p) {
      std::snprintf(buf, sizeof buf, "%.*Le", p - 1, std::fabs(v));
      Digits d = parse_scientific(buf);
      long double c = std::strtold(buf, nullptr);
      if (!reads_back<T>(c, b)) {
        // Below a power of two the lower rounding interval is half as wide: the nearest p-digit
        // decimal may miss it while the next one up still reads back.
        const long double up = c + std::pow(10.0L, d.exponent - p + 1);
        std::snprintf(buf, sizeof buf, "%.*Le", p - 1, up);
        c = std::strtold(buf, nullptr);
        if (c < std::fabs(v) || !reads_back<T>(c, b)) continue;
        d = parse_scientific(buf);
      }
      d.negative = (x.bits & 0x8000u) != 0;
      return d;
    }
    std::snprintf(buf, sizeof buf, "%.16Le", v);
    return parse_scientific(buf);
  } else {
    const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    return parse_scientific(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
}

template <class T>
double as_double(T x) {
  if constexpr (is_half_v<T>) {
    return static_cast<float>(x);
  } else {
    return static_cast<double>(x);
  }
}

struct Parts {
  std::string int_part;  // with its sign
  std::string frac_part;
  std::string exp_part;  // scientific only: "+05"
};

// Dragon4 positional, unique digits, at most kPrecision after the point, trailing zeros trimmed.
template <class T>
Parts positional(T x) {
  const Digits d = shortest(x);
  Parts p;
  const int n = static_cast<int>(d.digits.size());
  if (d.exponent >= 0) {
    p.int_part = d.digits.substr(0, static_cast<size_t>(std::min(n, d.exponent + 1)));
    p.int_part += std::string(static_cast<size_t>(std::max(0, d.exponent + 1 - n)), '0');
    if (n > d.exponent + 1) p.frac_part = d.digits.substr(static_cast<size_t>(d.exponent + 1));
  } else {
    p.int_part = "0";
    p.frac_part = std::string(static_cast<size_t>(-d.exponent - 1), '0') + d.digits;
  }
  if (p.frac_part == "0") p.frac_part.clear();
  // Past the cutoff Dragon4 rounds the exact binary value, as printf does; arrays (min_digits=0) also
  // print every integer digit exactly: 71306808., where the scalar prints 71306810.0.
  const bool short_integer = d.exponent + 1 > n;
  if (static_cast<int>(p.frac_part.size()) > kPrecision || short_integer) {
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.*f", short_integer ? 0 : kPrecision, std::fabs(as_double(x)));
    const std::string s = buf;
    const size_t dot = s.find('.');
    p.int_part = s.substr(0, dot);
    p.frac_part = dot == std::string::npos ? "" : s.substr(dot + 1);
    while (!p.frac_part.empty() && p.frac_part.back() == '0') p.frac_part.pop_back();
  }
  if (d.negative) p.int_part = "-" + p.int_part;
  return p;
}

// Dragon4 scientific: unique digits, at most `precision` after the point. Below `min_digits`, Dragon4
// goes on with the exact value's digits (5.96e-08, not 6.00e-08, for the smallest float16).
template <class T>
Parts scientific(T x, int precision = kPrecision, int min_digits = 0) {
  Digits d = shortest(x);
  const int frac = static_cast<int>(d.digits.size()) - 1;
  if (frac > precision || frac < min_digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*e", frac > precision ? precision : min_digits, std::fabs(as_double(x)));
    const bool negative = d.negative;
    d = parse_scientific(buf);
    d.negative = negative;
  }
  Parts p;
  // Built by push_back and append: gcc 12 sees a false overlap (-Wrestrict) in `"-" + substr` and in
  // assigning a string literal here, depending on what a unity batch inlines.
  if (d.negative) p.int_part.push_back('-');
  p.int_part.append(d.digits, 0, 1);
  p.frac_part = d.digits.substr(1);
  const int e = std::abs(d.exponent);
  p.exp_part = std::string(d.exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + std::to_string(e);
  return p;
}

bool is_finite(double v) { return std::isfinite(v); }

std::string pad_to(const std::string& s, size_t width, bool left) {
  if (s.size() >= width) return s;
  return left ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string non_finite(double v) { return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf"; }

// numpy.core.arrayprint.FloatingFormat with floatmode 'maxprec', sign '-', suppress False.
template <class T>
class FloatFormat {
 public:
  explicit FloatFormat(const std::vector<T>& data) {
    std::vector<T> finite;
    for (T x : data) {
      if (is_finite(as_double(x))) finite.push_back(x);
    }
    bool any_nonzero = false;
    T max_val{}, min_val{};
    for (T x : finite) {
      const T a = abs(x);
      if (as_double(a) == 0) continue;
      if (!any_nonzero || as_double(a) > as_double(max_val)) max_val = a;
      if (!any_nonzero || as_double(a) < as_double(min_val)) min_val = a;
      any_nonzero = true;
    }
    if (any_nonzero) {
      exp_format_ = as_double(max_val) >= 1e8 || as_double(min_val) < 0.0001 || ratio(max_val, min_val) > 1000.0;
    }
    if (finite.empty()) {
      pad_left_ = pad_right_ = 0;
    } else if (exp_format_) {
      size_t exp_len = 0;
      for (T x : finite) {
        const Parts p = scientific(x);
        exp_len = std::max(exp_len, p.exp_part.size());
        precision_ = std::max(precision_, static_cast<int>(p.frac_part.size()));
        pad_left_ = std::max(pad_left_, p.int_part.size());
      }
      exp_size_ = exp_len - 1;
      pad_right_ = exp_size_ + 2 + static_cast<size_t>(precision_);
    } else {
      for (T x : finite) {
        const Parts p = positional(x);
        pad_left_ = std::max(pad_left_, p.int_part.size());
        pad_right_ = std::max(pad_right_, p.frac_part.size());
      }
    }
    if (finite.size() != data.size()) {
      bool neg_inf = false;
      for (T x : data) neg_inf = neg_inf || as_double(x) == -std::numeric_limits<double>::infinity();
      const size_t offset = pad_right_ + 1;
      const size_t inf_len = 3 + (neg_inf ? 1 : 0);
      pad_left_ = std::max({pad_left_, 3 > offset ? 3 - offset : 0, inf_len > offset ? inf_len - offset : 0});
    }
  }

  std::string operator()(T x) const {
    const double v = as_double(x);
    if (!is_finite(v)) return pad_to(non_finite(v), pad_left_ + pad_right_ + 1, true);
    if (exp_format_) {
      const Parts p = scientific(x, precision_, precision_);
      const size_t e = p.exp_part.size() - 1;
      return pad_to(p.int_part, pad_left_, true) + "." + p.frac_part +
             std::string(static_cast<size_t>(precision_) - p.frac_part.size(), '0') + "e" + p.exp_part.substr(0, 1) +
             std::string(exp_size_ > e ? exp_size_ - e : 0, '0') + p.exp_part.substr(1);
    }
    const Parts p = positional(x);
    return pad_to(p.int_part, pad_left_, true) + "." + pad_to(p.frac_part, pad_right_, false);
  }

 private:
  static T abs(T x) {
    if constexpr (is_half_v<T>) {
      x.bits &= 0x7fffu;
      return x;
    } else {
      return std::fabs(x);
    }
  }
  // NumPy divides in the array's own type (halves through float32, then rounded).
  static double ratio(T a, T b) {
    if constexpr (is_half_v<T>) {
      return as_double(T(static_cast<float>(a) / static_cast<float>(b)));
    } else {
      return as_double(static_cast<T>(a / b));
    }
  }

  bool exp_format_ = false;
  int precision_ = 0;
  size_t pad_left_ = 0;
  size_t pad_right_ = 0;
  size_t exp_size_ = 0;
};

// str() of a NumPy scalar: positional for 1e-4 <= |x| < 1e16 ("3.0"), else scientific ("1e-05").
template <class T>
std::string scalar_str(T x) {
  if constexpr (std::is_same_v<T, bool>) {
    return x ? "True" : "False";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(static_cast<int64_t>(x));
  } else {
    const double v = as_double(x);
    if (!is_finite(v)) return non_finite(v);
    const double a = std::fabs(v);
    if (a == 0 || (a >= 1e-4 && a < 1e16)) {
      Digits d = shortest(x);
      const int n = static_cast<int>(d.digits.size());
      std::string s;
      if (d.exponent >= 0) {
        s = d.digits.substr(0, static_cast<size_t>(std::min(n, d.exponent + 1))) +
            std::string(static_cast<size_t>(std::max(0, d.exponent + 1 - n)), '0') + ".";
        s += n > d.exponent + 1 ? d.digits.substr(static_cast<size_t>(d.exponent + 1)) : "0";
      } else {
        s = "0." + std::string(static_cast<size_t>(-d.exponent - 1), '0') + d.digits;
      }
      return (d.negative ? "-" : "") + s;
    }
    const Parts p = scientific(x, 64);
    return p.int_part + (p.frac_part.empty() ? "" : "." + p.frac_part) + "e" + p.exp_part;
  }
}

class ArrayPrinter {
 public:
  ArrayPrinter(const Tensor& t, std::function<std::string(int64_t)> format, bool summarize)
      : dims_(t.shape().dims()), strides_(contiguous_strides(t.shape())), format_(std::move(format)),
        summarize_(summarize) {}

  std::string str() const { return recurse(0, 0, " ", kLineWidth); }

 private:
  // numpy's _extendLine: wrap before a word that would pass the width, unless the line is still empty.
  static void extend(std::string& s, std::string& line, const std::string& word, int64_t width,
                     const std::string& prefix) {
    const bool wrap = static_cast<int64_t>(line.size() + word.size()) > width && line.size() > prefix.size();
    if (wrap) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      s += line + "\n";
      line = prefix;
    }
    line += word;
  }

  std::string recurse(size_t axis, int64_t offset, const std::string& indent, int64_t width) const {
    if (axis == dims_.size()) return format_(offset);
    const std::string next_indent = indent + " ";
    const int64_t next_width = width - 1;  // room for the closing ']'
    const int64_t n = dims_[axis], stride = strides_[axis];
    const bool show_summary = summarize_ && 2 * kEdgeItems < n;
    const int64_t leading = show_summary ? kEdgeItems : 0;
    const int64_t trailing = show_summary ? kEdgeItems : n;
    auto child = [&](int64_t i) { return recurse(axis + 1, offset + i * stride, next_indent, next_width); };
    std::string s;
    if (axis + 1 == dims_.size()) {
      const int64_t elem_width = width - 1;
      std::string line = indent;
      for (int64_t i = 0; i < leading; ++i) {
        extend(s, line, child(i), elem_width, indent);
        line += " ";
      }
      if (show_summary) {
        extend(s, line, "...", elem_width, indent);
        line += " ";
      }
      for (int64_t i = trailing; i > 1; --i) {
        extend(s, line, child(n - i), elem_width, indent);
        line += " ";
      }
      extend(s, line, child(n - 1), elem_width, indent);
      s += line;
    } else {
      const std::string line_sep(dims_.size() - axis - 1, '\n');
      for (int64_t i = 0; i < leading; ++i) s += indent + child(i) + line_sep;
      if (show_summary) s += indent + "..." + line_sep;
      for (int64_t i = trailing; i > 1; --i) s += indent + child(n - i) + line_sep;
      s += indent + child(n - 1);
    }
    return "[" + s.substr(indent.size()) + "]";
  }

  std::vector<int64_t> dims_;
  std::vector<int64_t> strides_;
  std::function<std::string(int64_t)> format_;
  bool summarize_;
};

// Flat indices of the elements str() shows: all, or the edgeitems corners of each axis when summarised.
void shown_indices(const Shape& shape, bool summarize, size_t axis, int64_t offset, const std::vector<int64_t>& strides,
                   std::vector<int64_t>& out) {
  if (axis == static_cast<size_t>(shape.rank())) {
    out.push_back(offset);
    return;
  }
  const int64_t n = shape.dims()[axis];
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) i = n - kEdgeItems;
    shown_indices(shape, summarize, axis + 1, offset + i * strides[axis], strides, out);
  }
}

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "None";
  const Tensor host = to(Device::cpu());
  if (host.size() == 0) return "[]";
  return visit_dtype(host.dtype(), [&](auto tag) -> std::string {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(host.data());
    if (host.rank() == 0) return scalar_str(p[0]);
    const bool summarize = host.size() > kThreshold;
    std::vector<int64_t> shown;
    shown_indices(host.shape(), summarize, 0, 0, contiguous_strides(host.shape()), shown);
    std::function<std::string(int64_t)> format;
    if constexpr (std::is_same_v<T, bool>) {
      format = [p](int64_t i) -> std::string { return p[i] ? " True" : "False"; };
    } else if constexpr (std::is_integral_v<T>) {
      size_t width = 0;
      for (int64_t i : shown) width = std::max(width, std::to_string(static_cast<int64_t>(p[i])).size());
      format = [p, width](int64_t i) { return pad_to(std::to_string(static_cast<int64_t>(p[i])), width, true); };
    } else {
      std::vector<T> values;
      values.reserve(shown.size());
      for (int64_t i : shown) values.push_back(p[i]);
      format = [p, f = FloatFormat<T>(values)](int64_t i) { return f(p[i]); };
    }
    return ArrayPrinter(host, std::move(format), summarize).str();
  });
}

std::string Tensor::repr() const {
  if (!defined()) return "None";
  // As tf.Tensor's str(): a multi-line array starts on its own line.
  std::string text = str();
  if (text.find('\n') != std::string::npos) text = "\n" + text;
  return "tf.Tensor(" + text + ", shape=" + shape().str() + ", dtype=" + std::string(dtype_name(dtype())) + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace keras
