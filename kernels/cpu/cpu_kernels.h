#pragma once
// The CPU backend's entry points; kernels/dispatch.cpp routes to them by device.
#include <keras/kernels/cast.h>
#include <keras/kernels/copy.h>
#include <keras/kernels/elementwise.h>
#include <keras/kernels/matmul.h>
#include <keras/kernels/pool.h>
#include <keras/kernels/norm.h>
#include <keras/kernels/optimizer.h>
#include <keras/kernels/random.h>
#include <keras/kernels/reduce.h>
#include <keras/kernels/softmax.h>
#include <keras/kernels/conv.h>

namespace keras::kernels::cpu {

Tensor cast(const Tensor& src, DType dtype);
Tensor unary(const UnaryArgs& args);
Tensor binary(const BinaryArgs& args);
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y);
Tensor strided_copy(const StridedCopyArgs& args);
Tensor strided_assign(const StridedAssignArgs& args);
Tensor concatenate(const Tensors& srcs, int64_t axis);
Tensor pad_constant(const Tensor& src, const std::vector<std::pair<int64_t, int64_t>>& pads, double value);
Tensor take(const Tensor& src, const Tensor& indices, int64_t axis);
Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape);
Tensor reduce(const ReduceArgs& args);
Tensor arg_reduce(const Tensor& src, int64_t axis, bool keepdims, bool is_max);
Tensor matmul(const MatmulArgs& args);
Tensor softmax(const Tensor& src, int64_t axis, bool log);
Tensor random(const RandomArgs& args);
Tensor conv_forward(const ConvForwardArgs& args);
Tensor conv_backward_data(const ConvBackwardDataArgs& args);
Tensors conv_backward_weights(const ConvBackwardWeightsArgs& args);
PoolForwardResult pool_forward(const PoolForwardArgs& args);
Tensor pool_backward(const PoolBackwardArgs& args);
BatchNormForwardResult batch_norm_forward(const BatchNormForwardArgs& args);
BatchNormBackwardResult batch_norm_backward(const BatchNormBackwardArgs& args);
LayerNormForwardResult layer_norm_forward(const LayerNormForwardArgs& args);
LayerNormBackwardResult layer_norm_backward(const LayerNormBackwardArgs& args);
Tensor relu_backward(const Tensor& diff_dst, const Tensor& dst);
void adam_update(const AdamUpdateArgs& args);
void sgd_update(const SGDUpdateArgs& args);
void rmsprop_update(const RMSpropUpdateArgs& args);
void weight_decay_update(const Tensor& variable, double weight_decay, double learning_rate);
Tensor softmax_backward(const Tensor& y, const Tensor& dy, int64_t axis);
Tensor sparse_crossentropy(const Tensor& output, const Tensor& labels, bool from_logits, double epsilon);
Tensor sparse_crossentropy_backward(const Tensor& output, const Tensor& labels, const Tensor& dy, bool from_logits,
                                    double epsilon);

}  // namespace keras::kernels::cpu
