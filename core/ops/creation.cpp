#include <keras/core/ops/creation.h>

#include <keras/core/device_scope.h>

#include <keras/kernels/copy.h>

#include <cmath>

namespace keras::ops {

namespace {

// A broadcast view of one scalar, materialised by the strided-copy kernel on the target device.
Tensor full_on(const Shape& shape, double fill_value, DType dtype, Device device) {
  const Tensor value = Tensor::scalar(fill_value, dtype, device);
  return kernels::strided_copy({value, shape, std::vector<int64_t>(static_cast<size_t>(shape.rank()), 0), 0});
}

// NOTE: the `device` argument defaults to Device() (the cpu), which inside a DeviceScope stands for the
// scope's device; a cpu tensor there comes from .to("cpu") or a nested DeviceScope("cpu").
Device resolve(Device device) { return device.is_cpu() ? default_device() : device; }

}  // namespace

Tensor full(const Shape& shape, double fill_value, DType dtype, Device device) {
  return full_on(shape, fill_value, dtype, resolve(device));
}

Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }

// The *_like ops keep x's device, in any scope.
Tensor zeros_like(const Tensor& x, std::optional<DType> dtype) {
  return full_on(x.shape(), 0.0, dtype.value_or(x.dtype()), x.device());
}
Tensor ones_like(const Tensor& x, std::optional<DType> dtype) {
  return full_on(x.shape(), 1.0, dtype.value_or(x.dtype()), x.device());
}
Tensor full_like(const Tensor& x, double fill_value, std::optional<DType> dtype) {
  return full_on(x.shape(), fill_value, dtype.value_or(x.dtype()), x.device());
}

Tensor arange(double start, double stop, double step, DType dtype) {
  if (step == 0) throw ValueError("arange: step must not be zero");
  const double count = std::ceil((stop - start) / step);
  if (!(count < 1e12)) throw ValueError("arange: too many elements from start " + std::to_string(start) +
                                        " to stop " + std::to_string(stop) + " by step " + std::to_string(step));
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  std::vector<double> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = start + static_cast<double>(i) * step;
  return Tensor::from_vector(values, Shape{n}).astype(dtype).to(default_device());
}

Tensor arange(double stop, DType dtype) { return arange(0.0, stop, 1.0, dtype); }

Tensor linspace(double start, double stop, int64_t num, bool endpoint, DType dtype) {
  if (num < 0) throw ValueError("linspace: num must be non-negative, got " + std::to_string(num));
  std::vector<double> values(static_cast<size_t>(num));
  const double div = static_cast<double>(endpoint ? num - 1 : num);
  const double step = div > 0 ? (stop - start) / div : 0.0;
  for (int64_t i = 0; i < num; ++i) values[static_cast<size_t>(i)] = start + static_cast<double>(i) * step;
  if (endpoint && num > 1) values.back() = stop;
  return Tensor::from_vector(values, Shape{num}).astype(dtype).to(default_device());
}

Tensor eye(int64_t N, std::optional<int64_t> M, int64_t k, DType dtype) {
  const int64_t cols = M.value_or(N);
  if (N < 0 || cols < 0) throw ValueError("eye: N and M must be non-negative, got " + std::to_string(N) + " and " + std::to_string(cols));
  const Shape shape{N, cols};
  std::vector<double> values(static_cast<size_t>(shape.size()), 0.0);  // size() refuses an overflowing N * M
  for (int64_t i = 0; i < N; ++i) {
    if (k >= -i && k < cols - i) values[static_cast<size_t>(i * cols + i + k)] = 1.0;  // i + k could overflow
  }
  return Tensor::from_vector(values, shape).astype(dtype).to(default_device());
}

}  // namespace keras::ops
