#include <keras/losses/regression.h>

#include <keras/core/ops.h>
#include <keras/losses/detail.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace keras::losses {

namespace {

// The prologue of Keras's regression losses: y_true cast to y_pred's dtype and their ranks matched.
std::pair<Tensor, Tensor> prepare(const Tensor& y_true, const Tensor& y_pred, std::string_view loss) {
  const Tensor yp = detail::prediction(y_pred, loss);
  auto [yt, yp2] = squeeze_or_expand_to_same_rank(detail::target(y_true, yp, loss), yp);
  detail::require_broadcastable(yt, yp2, loss);
  return {yt, yp2};
}

}  // namespace

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [yt, yp] = prepare(y_true, y_pred, "mean_squared_error");
  return ops::mean(ops::square(yt - yp), -1);
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [yt, yp] = prepare(y_true, y_pred, "mean_absolute_error");
  return ops::mean(ops::abs(yt - yp), -1);
}

Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [yt, yp] = prepare(y_true, y_pred, "mean_absolute_percentage_error");
  const Tensor diff = ops::abs((yt - yp) / ops::maximum(ops::abs(yt), scalar_like(detail::kEpsilon, yt)));
  return 100.0 * ops::mean(diff, -1);
}

Tensor mean_squared_logarithmic_error(const Tensor& y_true, const Tensor& y_pred) {
  const auto [yt, yp] = prepare(y_true, y_pred, "mean_squared_logarithmic_error");
  const Tensor first_log = ops::log(ops::maximum(yp, scalar_like(detail::kEpsilon, yp)) + 1.0);
  const Tensor second_log = ops::log(ops::maximum(yt, scalar_like(detail::kEpsilon, yt)) + 1.0);
  return ops::mean(ops::square(first_log - second_log), -1);
}

Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int64_t axis) {
  const auto [yt, yp] = prepare(y_true, y_pred, "cosine_similarity");
  normalize_axis(axis, std::max(yt.rank(), yp.rank()), "cosine_similarity");
  // Keras's normalize is x * minimum(rsqrt(sum x^2), 1 / eps); rsqrt(maximum(sum x^2, eps^2)) is the
  // same value with a gradient that stays finite for a zero vector (rsqrt's is infinite at 0).
  auto normalize = [axis](const Tensor& x) {
    const Tensor square_sum = ops::sum(ops::square(x), axis, true);
    return x * ops::rsqrt(ops::maximum(square_sum, scalar_like(detail::kEpsilon * detail::kEpsilon, x)));
  };
  return -ops::sum(normalize(yt) * normalize(yp), axis);
}

Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta) {
  const auto [yt, yp] = prepare(y_true, y_pred, "huber");
  const Tensor error = yp - yt;
  const Tensor abs_error = ops::abs(error);
  return ops::mean(ops::where(abs_error <= delta, 0.5 * ops::square(error), delta * abs_error - 0.5 * delta * delta), -1);
}

Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred) {
  const auto [yt, yp] = prepare(y_true, y_pred, "log_cosh");
  const Tensor x = yp - yt;
  return ops::mean(x + ops::softplus(x * -2.0) - std::log(2.0), -1);
}

MeanSquaredError::MeanSquaredError(LossOptions options)
    : LossFunctionWrapper(mean_squared_error, "mean_squared_error", options) {}

MeanAbsoluteError::MeanAbsoluteError(LossOptions options)
    : LossFunctionWrapper(mean_absolute_error, "mean_absolute_error", options) {}

MeanAbsolutePercentageError::MeanAbsolutePercentageError(LossOptions options)
    : LossFunctionWrapper(mean_absolute_percentage_error, "mean_absolute_percentage_error", options) {}

MeanSquaredLogarithmicError::MeanSquaredLogarithmicError(LossOptions options)
    : LossFunctionWrapper(mean_squared_logarithmic_error, "mean_squared_logarithmic_error", options) {}

CosineSimilarity::CosineSimilarity(CosineSimilarityOptions options)
    : LossFunctionWrapper([axis = options.axis](const Tensor& t, const Tensor& p) { return cosine_similarity(t, p, axis); },
                          "cosine_similarity", {options.name, options.reduction}),
      options_(std::move(options)) {}

// NOTE: Keras 3 leaves "axis" (and Huber's "delta") out of these configs, so a reloaded loss would
// lose them; they are written here, and Keras's from_config(cls(**config)) accepts them.
Config CosineSimilarity::get_config() const {
  Config config = Loss::get_config();
  config["axis"] = options_.axis;
  return config;
}

Huber::Huber(HuberOptions options)
    : LossFunctionWrapper([delta = options.delta](const Tensor& t, const Tensor& p) { return huber(t, p, delta); },
                          "huber_loss", {options.name, options.reduction}),
      options_(std::move(options)) {}

Config Huber::get_config() const {
  Config config = Loss::get_config();
  config["delta"] = options_.delta;
  return config;
}

LogCosh::LogCosh(LossOptions options) : LossFunctionWrapper(log_cosh, "log_cosh", options) {}

// These wrappers have no arguments: their config is the Loss's alone, without "fn", as Keras's.
Config MeanSquaredError::get_config() const { return Loss::get_config(); }
Config MeanAbsoluteError::get_config() const { return Loss::get_config(); }
Config MeanAbsolutePercentageError::get_config() const { return Loss::get_config(); }
Config MeanSquaredLogarithmicError::get_config() const { return Loss::get_config(); }
Config LogCosh::get_config() const { return Loss::get_config(); }

}  // namespace keras::losses
