#include <keras/losses/probabilistic.h>

#include <keras/core/ops.h>
#include <keras/losses/detail.h>

#include <nlohmann/json.hpp>

namespace keras::losses {

Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred) {
  const Tensor yp = ops::clip(detail::prediction(y_pred, "kl_divergence"), detail::kEpsilon, 1.0);
  const Tensor yt = ops::clip(detail::target(y_true, yp, "kl_divergence"), detail::kEpsilon, 1.0);
  detail::require_broadcastable(yt, yp, "kl_divergence");
  return ops::sum(yt * ops::log(yt / yp), -1);
}

Tensor poisson(const Tensor& y_true, const Tensor& y_pred) {
  const Tensor yp = detail::prediction(y_pred, "poisson");
  const Tensor yt = detail::target(y_true, yp, "poisson");
  detail::require_broadcastable(yt, yp, "poisson");
  return ops::mean(yp - yt * ops::log(yp + detail::kEpsilon), -1);
}

KLDivergence::KLDivergence(LossOptions options) : LossFunctionWrapper(kl_divergence, "kl_divergence", options) {}

Poisson::Poisson(LossOptions options) : LossFunctionWrapper(poisson, "poisson", options) {}

// These wrappers have no arguments: their config is the Loss's alone, without "fn", as Keras's.
Config KLDivergence::get_config() const { return Loss::get_config(); }
Config Poisson::get_config() const { return Loss::get_config(); }

}  // namespace keras::losses
