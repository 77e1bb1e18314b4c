#pragma once
#include <keras/core/tensor.h>

#include <vector>

namespace keras::kernels {

enum class ReduceOp : uint8_t { sum, mean, max, min, prod, all, any };

/// Reduces src over `axes` (sorted, unique, non-negative; empty reduces nothing).
/// keepdims keeps reduced axes as size 1. all/any give bool; the others keep src's dtype.
struct ReduceArgs {
  ReduceOp op;
  const Tensor& src;
  std::vector<int64_t> axes;
  bool keepdims = false;
};
Tensor reduce(const ReduceArgs& args);

/// Index (int32) of the largest (or smallest) element along `axis`; the first one on ties, as NumPy.
Tensor arg_reduce(const Tensor& src, int64_t axis, bool keepdims, bool is_max);

/// arg_reduce's geometry, the same for every backend: src seen as (outer, r, inner) around `axis`,
/// and the output's shape. ValueError (NumPy's message) when the axis is empty.
struct ArgReduceDims {
  Shape out;
  int64_t outer = 1, r = 0, inner = 1;
};
ArgReduceDims arg_reduce_dims(const Shape& src, int64_t axis, bool keepdims);

}  // namespace keras::kernels
