#pragma once
#include <keras/core/tensor.h>

#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

/// keras.ops shape and indexing ops.
namespace keras::ops {

/// One -1 entry is inferred. Shares x's buffer (no copy).
Tensor reshape(const Tensor& x, const Shape& new_shape);
Tensor expand_dims(const Tensor& x, int64_t axis);
/// Removes the given size-1 axes, or all of them when none are given.
Tensor squeeze(const Tensor& x, std::optional<std::vector<int64_t>> axis = std::nullopt);
/// To 1-D (numpy.ravel).
Tensor ravel(const Tensor& x);
/// Keeps axis 0 and flattens the rest: (batch, ...) -> (batch, prod(...)) as keras.layers.Flatten.
Tensor flatten(const Tensor& x);
Tensor concatenate(const Tensors& xs, int64_t axis = 0);
Tensor stack(const Tensors& xs, int64_t axis = 0);
/// Splits into `sections` equal parts along axis; throws ValueError when they are not equal.
Tensors split(const Tensor& x, int64_t sections, int64_t axis = 0);
/// Splits before each of `indices` along axis (numpy.split with a list).
Tensors split(const Tensor& x, const std::vector<int64_t>& indices, int64_t axis = 0);
/// keras.ops.slice: the block starting at start_indices with extent `shape`.
Tensor slice(const Tensor& x, const std::vector<int64_t>& start_indices, const std::vector<int64_t>& shape);
/// x[begin:end:strides] per axis with Python's rules (negative indices, clamping, negative strides).
/// Axes not given are taken whole.
Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                     const std::vector<int64_t>& strides = {});
/// Gathers along axis by integer indices; nullopt takes from the flattened x, as Keras.
Tensor take(const Tensor& x, const Tensor& indices, std::optional<int64_t> axis = std::nullopt);
/// take_along_axis as NumPy: indices has x's rank.
Tensor take_along_axis(const Tensor& x, const Tensor& indices, int64_t axis);
/// One-hot encoding: a new axis of num_classes at `axis`; out-of-range indices give all zeros.
Tensor one_hot(const Tensor& x, int64_t num_classes, int64_t axis = -1, DType dtype = DType::float32);
/// mode "constant" (with constant_values), "reflect" or "symmetric"; pad_width has one pair per axis.
Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& pad_width,
           std::string_view mode = "constant", double constant_values = 0.0);
Tensor tile(const Tensor& x, const std::vector<int64_t>& repeats);
/// Repeats each element along axis; nullopt flattens first, as NumPy.
Tensor repeat(const Tensor& x, int64_t repeats, std::optional<int64_t> axis = std::nullopt);
Tensor broadcast_to(const Tensor& x, const Shape& shape);
/// Reverses the order of elements along the given axes (all when none given).
Tensor flip(const Tensor& x, std::optional<std::vector<int64_t>> axis = std::nullopt);

}  // namespace keras::ops
