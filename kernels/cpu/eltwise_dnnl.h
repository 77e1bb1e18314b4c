#pragma once
// oneDNN fast paths for float32 elementwise ops; the loops in elementwise.cpp do everything else.
#include <keras/kernels/elementwise.h>

namespace keras::kernels::cpu {

/// SELU's constants (Klambauer et al. 2017), as Keras's.
inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;

/// Fills dst (src's shape, float32) with op(src) through a oneDNN eltwise primitive; false, touching
/// nothing, where oneDNN lacks the op, differs from the loops, or is slower at this size.
bool unary_dnnl(const UnaryArgs& args, const Tensor& dst);

/// Fills dst (float32, the broadcast shape) with src0 op src1 through a oneDNN binary primitive;
/// false where that does not apply or does not pay.
bool binary_dnnl(const BinaryArgs& args, const Tensor& dst);

}  // namespace keras::kernels::cpu
