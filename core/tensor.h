#pragma once
#include <keras/core/device.h>
#include <keras/core/dtype.h>
#include <keras/core/errors.h>
#include <keras/core/shape.h>

#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace keras {

namespace graph::detail {
struct TensorAccess;
}

/// A block of memory on one device, shared by the tensors that view it.
class Storage {
 public:
  /// Allocates `nbytes` (64-byte aligned) on `device`; throws RuntimeError when that fails.
  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  Storage(void* data, size_t nbytes, Device device) : data_(data), nbytes_(nbytes), device_(device) {}
  void* data_;
  size_t nbytes_;
  Device device_;
};

template <class T>
concept TensorElement = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                        std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t> ||
                        std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                        std::is_same_v<T, uint8_t> || std::is_same_v<T, bool>;

/// An immutable n-dimensional array (like tf.Tensor): a cheap shared handle; ops return new tensors.
/// Always dense and row-major. A default-constructed Tensor is undefined, standing for Python's None.
class Tensor {
 public:
  Tensor() = default;
  /// A 1-D tensor, or one of `shape` when given: Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}).
  template <TensorElement T>
  Tensor(std::initializer_list<T> values, Shape shape) : Tensor(from_data(values.begin(), std::move(shape), dtype_v<T>, values.size())) {}
  template <TensorElement T>
  Tensor(std::initializer_list<T> values) : Tensor(values, Shape{static_cast<int64_t>(values.size())}) {}

  /// Uninitialised memory, for kernels that fill it before anyone else sees it.
  static Tensor empty(const Shape& shape, DType dtype, Device device = {});
  /// Copies `shape.size()` elements of `dtype` from host memory.
  static Tensor from_data(const void* data, Shape shape, DType dtype, Device device = {});
  template <TensorElement T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape) {
    return from_data(values.data(), std::move(shape), dtype_v<T>, values.size());
  }
  template <TensorElement T>
  static Tensor from_vector(const std::vector<T>& values) {
    return from_vector(values, Shape{static_cast<int64_t>(values.size())});
  }
  /// A rank-0 tensor; scalar(2.f) is float32, scalar(2.0) float64, scalar(2) int32.
  template <TensorElement T>
  static Tensor scalar(T value) { return from_data(&value, Shape{}, dtype_v<T>); }
  /// A rank-0 tensor of `dtype` holding `value` converted to it.
  static Tensor scalar(double value, DType dtype, Device device = {});
  /// A view of `storage` from byte `offset` (kernels and zero-copy reshapes use it).
  static Tensor view(std::shared_ptr<Storage> storage, size_t offset, Shape shape, DType dtype);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  int64_t rank() const { return shape().rank(); }
  /// Number of elements.
  int64_t size() const { return impl().size; }
  size_t nbytes() const { return static_cast<size_t>(size()) * dtype_size(dtype()); }
  /// Identity of this tensor (not of its buffer); the gradient tape keys on it.
  uint64_t id() const { return impl().id; }

  const void* data() const { return static_cast<const char*>(impl().storage->data()) + impl().offset; }
  /// Typed pointer to host data; throws ValueError if T does not match dtype().
  template <TensorElement T>
  const T* data() const {
    check_access(dtype_v<T>);
    return static_cast<const T*>(data());
  }
  /// Writable pointer: only for a tensor you have just created and not yet shared (kernels' outputs).
  void* mutable_data() const { return const_cast<void*>(data()); }
  template <TensorElement T>
  T* mutable_data() const {
    check_access(dtype_v<T>);
    return static_cast<T*>(mutable_data());
  }
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  size_t offset() const { return impl().offset; }

  /// The elements converted to T, in row-major order (a host copy, like .numpy()).
  template <TensorElement T>
  std::vector<T> to_vector() const;
  /// The value of a one-element tensor converted to T; throws ValueError otherwise.
  template <TensorElement T>
  T item() const;

  /// A copy converted to `dtype` (the same tensor when it already has it).
  Tensor astype(DType dtype) const;
  /// A copy on `device` (the same tensor when it is already there).
  Tensor to(Device device) const;

  /// NumPy-style text: [[1. 2.] [3. 4.]].
  std::string str() const;
  /// With shape and dtype: tf.Tensor([...], shape=(2, 2), dtype=float32).
  std::string repr() const;

 private:
  friend class Variable;  // updates its own buffer in place when no other handle shares it
  friend struct graph::detail::TensorAccess;  // graph replay rebinds traced tensors to fresh buffers
  /// True when no other Tensor handle or view shares this tensor's buffer.
  bool sole_owner() const { return impl_.use_count() == 1 && impl_->storage.use_count() == 1; }

  struct Impl {
    std::shared_ptr<Storage> storage;
    size_t offset;
    Shape shape;
    DType dtype;
    int64_t size;
    uint64_t id;
  };
  explicit Tensor(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  static Tensor from_data(const void* data, Shape shape, DType dtype, size_t count);
  const Impl& impl() const {
    if (!impl_) throw_undefined();
    return *impl_;
  }
  [[noreturn]] static void throw_undefined();
  void check_access(DType requested) const;

  std::shared_ptr<const Impl> impl_;
};

using Tensors = std::vector<Tensor>;

std::ostream& operator<<(std::ostream& os, const Tensor& t);

extern template std::vector<float> Tensor::to_vector<float>() const;
extern template std::vector<double> Tensor::to_vector<double>() const;
extern template std::vector<float16_t> Tensor::to_vector<float16_t>() const;
extern template std::vector<bfloat16_t> Tensor::to_vector<bfloat16_t>() const;
extern template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
extern template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
extern template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;
extern template std::vector<bool> Tensor::to_vector<bool>() const;
extern template float Tensor::item<float>() const;
extern template double Tensor::item<double>() const;
extern template float16_t Tensor::item<float16_t>() const;
extern template bfloat16_t Tensor::item<bfloat16_t>() const;
extern template int32_t Tensor::item<int32_t>() const;
extern template int64_t Tensor::item<int64_t>() const;
extern template uint8_t Tensor::item<uint8_t>() const;
extern template bool Tensor::item<bool>() const;

}  // namespace keras
