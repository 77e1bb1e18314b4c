#pragma once
// The CUDA backend's entry points, with the signatures of kernels/cpu/cpu_kernels.h; kernels/dispatch.cpp
// routes a kernel here (KERAS_ROUTE_CUDA) once it is declared and defined. Each sets the device of
// its operands current and runs on that device's stream (cuda_context.h).
#include <keras/kernels/cast.h>
#include <keras/kernels/conv.h>
#include <keras/kernels/copy.h>
#include <keras/kernels/elementwise.h>
#include <keras/kernels/matmul.h>
#include <keras/kernels/norm.h>
#include <keras/kernels/optimizer.h>
#include <keras/kernels/pool.h>
#include <keras/kernels/random.h>
#include <keras/kernels/reduce.h>
#include <keras/kernels/softmax.h>

namespace keras::kernels::cuda {

// Elementwise and copy kernels (own CUDA kernels: elementwise.cu, copy.cu).
Tensor cast(const Tensor& src, DType dtype);
Tensor unary(const UnaryArgs& args);
Tensor binary(const BinaryArgs& args);
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y);
Tensor relu_backward(const Tensor& diff_dst, const Tensor& dst);
Tensor strided_copy(const StridedCopyArgs& args);
Tensor strided_assign(const StridedAssignArgs& args);
Tensor concatenate(const Tensors& srcs, int64_t axis);
Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value);
Tensor take(const Tensor& src, const Tensor& indices, int64_t axis);
Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape);

// Library-backed kernels (cuBLASLt, cuDNN) and reductions, random, optimizer updates.

}  // namespace keras::kernels::cuda
