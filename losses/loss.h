#pragma once
#include <keras/core/tensor.h>
#include <keras/layers/config.h>

#include <functional>
#include <memory>
#include <string>

namespace keras::losses {

struct LossOptions {
  std::string name = {};  // empty: the snake_case class name, e.g. "mean_squared_error"
  /// "sum_over_batch_size" (Keras's default), "sum", "mean", "mean_with_sample_weight" or "none".
  std::string reduction = "sum_over_batch_size";
};

/// keras.losses.Loss. Subclasses implement call(y_true, y_pred) giving one loss per sample (or per
/// element); operator() applies sample weights and the reduction, as Keras's Loss.__call__.
class Loss {
 public:
  virtual ~Loss() = default;
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) const;
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  /// Keras class name: "MeanSquaredError".
  virtual std::string class_name() const = 0;
  /// {"name", "reduction", ...class arguments}.
  virtual Config get_config() const;
  const std::string& name() const { return name_; }
  const std::string& reduction() const { return reduction_; }

 protected:
  Loss(const std::string& default_name, const LossOptions& options);

 private:
  std::string name_;
  std::string reduction_;
};

/// Keras's reduce_weighted_values: values * sample_weight (broadcast: a (batch,) weight scales each
/// sample), then the reduction. "sum_over_batch_size" divides the sum by the number of values.
Tensor reduce_weighted_values(const Tensor& values, const Tensor& sample_weight, const std::string& reduction);

}  // namespace keras::losses

namespace keras {

/// What compile's `loss` takes for one output: a Keras name ("mse",
/// "sparse_categorical_crossentropy", ...), a losses::Loss object, or a callable
/// (y_true, y_pred) -> per-sample losses (wrapped as Keras wraps functions: LossFunctionWrapper).
class LossArg {
 public:
  LossArg() = default;
  LossArg(const char* name);         // NOLINT
  LossArg(const std::string& name);  // NOLINT
  template <class T>
    requires std::is_base_of_v<losses::Loss, T>
  LossArg(const T& loss) : loss_(std::make_shared<T>(loss)) {}  // NOLINT
  LossArg(std::function<Tensor(const Tensor&, const Tensor&)> fn, std::string name = "custom_loss");  // NOLINT

  bool defined() const { return loss_ != nullptr; }
  const losses::Loss& operator*() const;
  const losses::Loss* operator->() const { return &**this; }
  /// What compile_config records: the name as given, or the object's serialised dict.
  Config to_config() const;

 private:
  std::shared_ptr<const losses::Loss> loss_;
  std::string given_name_;
};

}  // namespace keras
