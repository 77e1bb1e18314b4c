#pragma once
#include <keras/core/tensor.h>

/// keras.ops neural-network activations, with Keras's argument names and defaults.
namespace keras::ops {

Tensor relu(const Tensor& x);
Tensor relu6(const Tensor& x);
/// x if x > 0 else negative_slope * x.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.2);
/// x if x > 0 else alpha * (exp(x) - 1).
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
/// approximate=true uses the tanh approximation (Keras's default); false the exact erf form.
Tensor gelu(const Tensor& x, bool approximate = true);
Tensor softplus(const Tensor& x);
Tensor softsign(const Tensor& x);
/// x * sigmoid(x).
Tensor silu(const Tensor& x);
Tensor swish(const Tensor& x);
/// relu6(x + 3) / 6, as Keras 3.
Tensor hard_sigmoid(const Tensor& x);
Tensor softmax(const Tensor& x, int64_t axis = -1);
Tensor log_softmax(const Tensor& x, int64_t axis = -1);

}  // namespace keras::ops
