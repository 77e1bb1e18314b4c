#pragma once
#include <keras/losses/loss.h>

/// keras.losses regression losses. The functions give one loss per sample: the mean (or sum) over the
/// last axis, so y of shape (batch, d) gives (batch,).
namespace keras::losses {

/// mean(square(y_true - y_pred), axis=-1).
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
/// mean(abs(y_true - y_pred), axis=-1).
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
/// 100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1).
Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred);
/// mean(square(log(maximum(y_pred, epsilon) + 1) - log(maximum(y_true, epsilon) + 1)), axis=-1).
Tensor mean_squared_logarithmic_error(const Tensor& y_true, const Tensor& y_pred);
/// -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for parallel vectors, 0 if either is zero.
Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int64_t axis = -1);
/// mean over axis -1 of 0.5 e^2 where |e| <= delta, else delta |e| - 0.5 delta^2 (e = y_pred - y_true).
Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta = 1.0);
/// mean(log(cosh(y_pred - y_true)), axis=-1), computed as x + softplus(-2x) - log(2) so it never overflows.
Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred);

/// keras.losses.MeanSquaredError ("mean_squared_error").
class MeanSquaredError final : public LossFunctionWrapper {
 public:
  explicit MeanSquaredError(LossOptions options = {});
  std::string class_name() const override { return "MeanSquaredError"; }
  Config get_config() const override;
};

/// keras.losses.MeanAbsoluteError ("mean_absolute_error").
class MeanAbsoluteError final : public LossFunctionWrapper {
 public:
  explicit MeanAbsoluteError(LossOptions options = {});
  std::string class_name() const override { return "MeanAbsoluteError"; }
  Config get_config() const override;
};

/// keras.losses.MeanAbsolutePercentageError ("mean_absolute_percentage_error").
class MeanAbsolutePercentageError final : public LossFunctionWrapper {
 public:
  explicit MeanAbsolutePercentageError(LossOptions options = {});
  std::string class_name() const override { return "MeanAbsolutePercentageError"; }
  Config get_config() const override;
};

/// keras.losses.MeanSquaredLogarithmicError ("mean_squared_logarithmic_error").
class MeanSquaredLogarithmicError final : public LossFunctionWrapper {
 public:
  explicit MeanSquaredLogarithmicError(LossOptions options = {});
  std::string class_name() const override { return "MeanSquaredLogarithmicError"; }
  Config get_config() const override;
};

struct CosineSimilarityOptions {
  int64_t axis = -1;
  std::string reduction = "sum_over_batch_size";
  std::string name = {};  // empty: "cosine_similarity"
};

/// keras.losses.CosineSimilarity.
class CosineSimilarity final : public LossFunctionWrapper {
 public:
  explicit CosineSimilarity(CosineSimilarityOptions options = {});
  std::string class_name() const override { return "CosineSimilarity"; }
  Config get_config() const override;

 private:
  CosineSimilarityOptions options_;
};

struct HuberOptions {
  double delta = 1.0;
  std::string reduction = "sum_over_batch_size";
  std::string name = {};  // empty: "huber_loss", Keras's default name for Huber
};

/// keras.losses.Huber.
class Huber final : public LossFunctionWrapper {
 public:
  explicit Huber(HuberOptions options = {});
  std::string class_name() const override { return "Huber"; }
  Config get_config() const override;

 private:
  HuberOptions options_;
};

/// keras.losses.LogCosh ("log_cosh").
class LogCosh final : public LossFunctionWrapper {
 public:
  explicit LogCosh(LossOptions options = {});
  std::string class_name() const override { return "LogCosh"; }
  Config get_config() const override;
};

}  // namespace keras::losses
