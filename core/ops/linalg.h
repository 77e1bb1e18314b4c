#pragma once
#include <keras/core/tensor.h>

#include <string_view>
#include <vector>

namespace keras::ops {

/// NumPy matmul: 1-D operands are promoted to matrices and the added axis removed; batch axes broadcast.
Tensor matmul(const Tensor& x1, const Tensor& x2);
/// NumPy dot: scalars multiply, 1-D·1-D is an inner product, N-D·1-D sums the last axis,
/// N-D·M-D sums the last axis of x1 with the second-to-last of x2.
Tensor dot(const Tensor& x1, const Tensor& x2);
/// Permutes the axes; empty `axes` reverses them, as NumPy.
Tensor transpose(const Tensor& x, std::vector<int64_t> axes = {});
/// Einstein summation for one or two operands, e.g. "ij,jk->ik", "bij,bjk->bik", "ii->i", "ij->".
Tensor einsum(std::string_view subscripts, const Tensors& operands);

}  // namespace keras::ops
