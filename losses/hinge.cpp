#include <keras/losses/hinge.h>

#include <keras/core/ops.h>
#include <keras/losses/detail.h>

#include <nlohmann/json.hpp>

namespace keras::losses {

namespace {

// Keras's convert_binary_labels_to_hinge: 0/1 labels become -1/1 when every label is 0 or 1.
// A where on the scalar test, not a host-side branch, so it stays one op graph.
Tensor hinge_labels(const Tensor& y_true) {
  const Tensor is_binary = ops::all((y_true == 0.0) | (y_true == 1.0));
  return ops::where(is_binary, 2.0 * y_true - 1.0, y_true);
}

Tensor margin(const Tensor& y_true, const Tensor& y_pred, std::string_view loss) {
  const Tensor yp = detail::prediction(y_pred, loss);
  const Tensor yt = hinge_labels(detail::target(y_true, yp, loss));
  detail::require_broadcastable(yt, yp, loss);
  return ops::maximum(1.0 - yt * yp, scalar_like(0, yp));
}

}  // namespace

Tensor hinge(const Tensor& y_true, const Tensor& y_pred) { return ops::mean(margin(y_true, y_pred, "hinge"), -1); }

Tensor squared_hinge(const Tensor& y_true, const Tensor& y_pred) {
  return ops::mean(ops::square(margin(y_true, y_pred, "squared_hinge")), -1);
}

Tensor categorical_hinge(const Tensor& y_true, const Tensor& y_pred) {
  const Tensor yp = detail::prediction(y_pred, "categorical_hinge");
  const Tensor yt = detail::target(y_true, yp, "categorical_hinge");
  detail::require_broadcastable(yt, yp, "categorical_hinge");
  const Tensor pos = ops::sum(yt * yp, -1);
  const Tensor neg = ops::max((1.0 - yt) * yp, -1);
  return ops::maximum(neg - pos + 1.0, scalar_like(0, yp));
}

Hinge::Hinge(LossOptions options) : LossFunctionWrapper(hinge, "hinge", options) {}

SquaredHinge::SquaredHinge(LossOptions options) : LossFunctionWrapper(squared_hinge, "squared_hinge", options) {}

CategoricalHinge::CategoricalHinge(LossOptions options)
    : LossFunctionWrapper(categorical_hinge, "categorical_hinge", options) {}

// These wrappers have no arguments: their config is the Loss's alone, without "fn", as Keras's.
Config Hinge::get_config() const { return Loss::get_config(); }
Config SquaredHinge::get_config() const { return Loss::get_config(); }
Config CategoricalHinge::get_config() const { return Loss::get_config(); }

}  // namespace keras::losses
