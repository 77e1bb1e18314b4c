#pragma once
#include <keras/core/tensor.h>

#include <optional>

/// keras.ops tensor creation.
namespace keras::ops {

Tensor zeros(const Shape& shape, DType dtype = DType::float32, Device device = {});
Tensor ones(const Shape& shape, DType dtype = DType::float32, Device device = {});
Tensor full(const Shape& shape, double fill_value, DType dtype = DType::float32, Device device = {});
Tensor zeros_like(const Tensor& x, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& x, std::optional<DType> dtype = std::nullopt);
Tensor full_like(const Tensor& x, double fill_value, std::optional<DType> dtype = std::nullopt);
/// [start, stop) by step; dtype default float32 (pass int32 for integer ranges).
Tensor arange(double start, double stop, double step = 1.0, DType dtype = DType::float32);
Tensor arange(double stop, DType dtype = DType::float32);
/// num evenly spaced values from start to stop (inclusive when endpoint).
Tensor linspace(double start, double stop, int64_t num = 50, bool endpoint = true, DType dtype = DType::float32);
/// An N x M matrix with ones on diagonal k.
Tensor eye(int64_t N, std::optional<int64_t> M = std::nullopt, int64_t k = 0, DType dtype = DType::float32);

}  // namespace keras::ops
