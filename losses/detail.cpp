#include <keras/losses/detail.h>

#include <keras/core/ops.h>

namespace keras::losses::detail {

Tensor prediction(const Tensor& y_pred, std::string_view loss) {
  if (!y_pred.defined()) throw ValueError(std::string(loss) + ": y_pred is undefined; pass a tensor");
  return is_floating(y_pred.dtype()) ? y_pred : ops::cast(y_pred, DType::float32);
}

Tensor target(const Tensor& y_true, const Tensor& like, std::string_view loss) {
  if (!y_true.defined()) throw ValueError(std::string(loss) + ": y_true is undefined; pass a tensor");
  return ops::cast(y_true, like.dtype());
}

std::string shapes_str(const Tensor& y_true, const Tensor& y_pred) {
  return "y_true.shape=" + y_true.shape().str() + ", y_pred.shape=" + y_pred.shape().str();
}

void require_broadcastable(const Tensor& y_true, const Tensor& y_pred, std::string_view loss) {
  try {
    broadcast_shapes(y_true.shape(), y_pred.shape(), loss);
  } catch (const ValueError&) {
    throw ValueError(std::string(loss) + ": y_true and y_pred have incompatible shapes. Received: " +
                     shapes_str(y_true, y_pred));
  }
}

void require_same_shape(const Tensor& y_true, const Tensor& y_pred, std::string_view loss) {
  if (y_true.shape() != y_pred.shape()) {
    throw ValueError(std::string(loss) + ": arguments `y_true` and `y_pred` must have the same shape. Received: " +
                     shapes_str(y_true, y_pred));
  }
}

Tensor divide_no_nan(const Tensor& x, const Tensor& d) {
  const Tensor zero = ops::equal(d, scalar_like(0, d));
  const Tensor safe = ops::where(zero, ops::ones_like(d), d);
  const Tensor q = x / safe;
  return ops::where(zero, ops::zeros_like(q), q);
}

}  // namespace keras::losses::detail
