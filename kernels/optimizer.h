#pragma once
#include <keras/core/tensor.h>

namespace keras::kernels {

// Fused optimizer steps. Each updates its variable and slots in place (one pass, no temporaries),
// computing in the variables' dtype with the op-by-op formula's exact order of operations, so the
// result is the same to the bit. All tensors share one floating dtype (float32 or float64) and
// shape, are dense, and must be writable: only their owner (a Variable) may see them.

/// Keras's Adam: m += (g - m)(1 - beta_1); v += (g² - v)(1 - beta_2); with amsgrad
/// v_hat = max(v_hat, v); variable -= m·alpha / (sqrt(v or v_hat) + epsilon), where
/// alpha = lr·sqrt(1 - beta_2^step) / (1 - beta_1^step).
struct AdamUpdateArgs {
  const Tensor& variable;
  const Tensor& m;
  const Tensor& v;
  const Tensor& v_hat;  // undefined unless amsgrad
  const Tensor& gradient;
  double learning_rate;
  double beta_1;
  double beta_2;
  double epsilon;
  double step;  // the iteration being applied, counting from 1
};
void adam_update(const AdamUpdateArgs& args);

/// Keras's SGD with momentum: m = m·momentum - g·lr; variable += m, or with nesterov
/// variable += m·momentum - g·lr.
struct SGDUpdateArgs {
  const Tensor& variable;
  const Tensor& m;
  const Tensor& gradient;
  double learning_rate;
  double momentum;
  bool nesterov;
};
void sgd_update(const SGDUpdateArgs& args);

/// Keras's RMSprop: velocity = rho·velocity + (1 - rho)·g²; increment = lr·g / sqrt(velocity + epsilon)
/// (centered: average = rho·average + (1 - rho)·g, and velocity - average² + epsilon under the root);
/// variable -= increment, or with momentum m = momentum·m + increment; variable -= m.
struct RMSpropUpdateArgs {
  const Tensor& variable;
  const Tensor& velocity;
  const Tensor& momentum_slot;     // undefined unless momentum > 0
  const Tensor& average_gradient;  // undefined unless centered
  const Tensor& gradient;
  double learning_rate;
  double rho;
  double momentum;
  double epsilon;
};
void rmsprop_update(const RMSpropUpdateArgs& args);

/// Decoupled weight decay (AdamW and every optimizer given weight_decay): variable -= variable·weight_decay·lr.
void weight_decay_update(const Tensor& variable, double weight_decay, double learning_rate);

/// True when the fused updates take tensors of this dtype and device.
bool fused_update_supported(DType dtype, Device device);

}  // namespace keras::kernels
