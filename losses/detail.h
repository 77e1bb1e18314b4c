#pragma once
// Helpers shared by the loss implementations (not part of the public API).
#include <keras/core/tensor.h>

#include <string>
#include <string_view>

namespace keras::losses::detail {

/// keras.backend.epsilon(): the clipping margin of probabilities and the floor of divisors.
inline constexpr double kEpsilon = 1e-7;

/// y_pred as a floating tensor (integers become float32); throws ValueError naming `loss` if undefined.
Tensor prediction(const Tensor& y_pred, std::string_view loss);
/// y_true cast to `like`'s dtype; throws ValueError naming `loss` if undefined.
Tensor target(const Tensor& y_true, const Tensor& like, std::string_view loss);
/// Throws ValueError "loss: ... y_true.shape=(4,), y_pred.shape=(4, 3)" unless the shapes broadcast.
void require_broadcastable(const Tensor& y_true, const Tensor& y_pred, std::string_view loss);
/// Throws ValueError naming both shapes unless they are equal.
void require_same_shape(const Tensor& y_true, const Tensor& y_pred, std::string_view loss);
/// "y_true.shape=(4,), y_pred.shape=(4, 3)".
std::string shapes_str(const Tensor& y_true, const Tensor& y_pred);
/// x / d, and 0 where d is 0 (ops.divide_no_nan), with a gradient that stays finite there.
Tensor divide_no_nan(const Tensor& x, const Tensor& d);

}  // namespace keras::losses::detail
