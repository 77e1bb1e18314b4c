#include <keras/core/tensor.h>

#include <keras/kernels/cast.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>

namespace keras {

namespace {
std::atomic<uint64_t> next_tensor_id{1};
constexpr size_t kAlignment = 64;
}  // namespace

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  check_device_available(device);
  const size_t rounded = (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  void* data = std::aligned_alloc(kAlignment, rounded);
  if (!data) {
    throw RuntimeError("Out of memory: could not allocate " + std::to_string(nbytes) + " bytes on " +
                       device.str());
  }
  return std::shared_ptr<Storage>(new Storage(data, nbytes, device));
}

Storage::~Storage() { std::free(data_); }

Tensor Tensor::view(std::shared_ptr<Storage> storage, size_t offset, Shape shape, DType dtype) {
  const int64_t size = shape.size();
  if (offset + static_cast<size_t>(size) * dtype_size(dtype) > storage->nbytes()) {
    throw ValueError("Tensor view of shape " + shape.str() + " does not fit its buffer");
  }
  return Tensor(std::make_shared<const Impl>(
      Impl{std::move(storage), offset, std::move(shape), dtype, size, next_tensor_id++}));
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  const int64_t size = shape.size();  // throws on None
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
  throw NotImplementedError("Copies between " + this->device().str() + " and " + device.str() +
                            " need the CUDA backend");
}

namespace {

std::string format_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e16) {
    std::snprintf(buf, sizeof buf, "%.0f.", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.8g", v);
  }
  return buf;
}

struct Printer {
  const Tensor& t;
  std::vector<std::string> cells;
  size_t width = 0;
  bool summarize;
  static constexpr int64_t kEdge = 3;

  void format_all() {
    visit_dtype(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* p = static_cast<const T*>(t.data());
      cells.resize(static_cast<size_t>(t.size()));
      for (size_t i = 0; i < cells.size(); ++i) {
        if constexpr (std::is_same_v<T, bool>) {
          cells[i] = p[i] ? "True" : "False";
        } else if constexpr (std::is_integral_v<T>) {
          cells[i] = std::to_string(static_cast<int64_t>(p[i]));
        } else {
          cells[i] = format_float(static_cast<double>(static_cast<float>(p[i])));
          if constexpr (std::is_same_v<T, double>) cells[i] = format_float(p[i]);
        }
        width = std::max(width, cells[i].size());
      }
    });
  }

  void print(std::string& out, int64_t dim, int64_t offset, int64_t stride, int indent) {
    const int64_t n = t.shape()[dim];
    const int64_t inner = stride / std::max<int64_t>(n, 1);
    out += '[';
    for (int64_t i = 0; i < n; ++i) {
      if (summarize && n > 2 * kEdge && i == kEdge) {
        out += dim + 1 == t.rank() ? "... " : "...\n" + std::string(static_cast<size_t>(indent + 1), ' ');
        i = n - kEdge;
      }
      if (dim + 1 == t.rank()) {
        const std::string& c = cells[static_cast<size_t>(offset + i)];
        out += std::string(width - c.size(), ' ') + c;
        if (i + 1 < n) out += ' ';
      } else {
        print(out, dim + 1, offset + i * inner, inner, indent + 1);
        if (i + 1 < n) {
          out += std::string(static_cast<size_t>(t.rank() - dim - 1), '\n');
          out += std::string(static_cast<size_t>(indent + 1), ' ');
        }
      }
    }
    out += ']';
  }
};

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "None";
  const Tensor host = to(Device::cpu());
  Printer p{host, {}, 0, host.size() > 1000};
  p.format_all();
  if (host.rank() == 0) return p.cells[0];
  std::string out;
  p.print(out, 0, 0, host.size(), 0);
  return out;
}

std::string Tensor::repr() const {
  if (!defined()) return "None";
  return "tf.Tensor(" + str() + ", shape=" + shape().str() + ", dtype=" + std::string(dtype_name(dtype())) + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace keras
