#pragma once
// oneDNN fast paths for float32 elementwise ops; the loops in elementwise.cpp do everything else.
#include <keras/kernels/elementwise.h>

namespace keras::kernels::cpu {

/// Fills dst (src's shape, float32) with op(src) through a oneDNN eltwise primitive; false, touching
/// nothing, where oneDNN lacks the op, differs from the loops, or is slower at this size.
bool unary_dnnl(const UnaryArgs& args, const Tensor& dst);

/// Whether unary_dnnl may take this op on a `size`-element tensor of `dtype` (its results differ from
/// the loops' in the last bits, so a fused program that must match the unfused one leaves it out).
bool unary_may_use_dnnl(UnaryOp op, double alpha, DType dtype, int64_t size);

/// Fills dst (float32, the broadcast shape) with src0 op src1 through a oneDNN binary primitive;
/// false where that does not apply or does not pay.
bool binary_dnnl(const BinaryArgs& args, const Tensor& dst);

}  // namespace keras::kernels::cpu
