#pragma once
#include <keras/core/tensor.h>
#include <keras/layers/config.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace keras::losses {

struct LossOptions {
  std::string name = {};  // empty: the snake_case class name, e.g. "mean_squared_error"
  /// "sum_over_batch_size" (Keras's default), "sum", "mean", "mean_with_sample_weight" or "none".
  std::string reduction = "sum_over_batch_size";
};

/// keras.losses.Loss. Subclasses implement call(y_true, y_pred) giving one loss per sample (or per
/// element); operator() applies sample weights and the reduction, as Keras's Loss.__call__.
/// Both inputs are cast to the loss's compute dtype first: float64 when y_pred is float64, else
/// float32 (Keras's floatx).
class Loss {
 public:
  virtual ~Loss() = default;
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) const;
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  /// The Keras mask call() attaches to its losses (ignore_class); undefined when there is none.
  virtual Tensor compute_mask(const Tensor& y_true, const Tensor& y_pred) const;
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

/// keras.losses.LossFunctionWrapper: call() is fn(y_true, y_pred) after squeeze_or_expand_to_same_rank.
/// The built-in loss classes are such wrappers around their functions, as in Keras.
class LossFunctionWrapper : public Loss {
 public:
  using Fn = std::function<Tensor(const Tensor&, const Tensor&)>;
  explicit LossFunctionWrapper(Fn fn, LossOptions options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "LossFunctionWrapper"; }
  /// Loss's config and "fn", the function serialised by its name (a C++ callable has no other).
  Config get_config() const override;

 protected:
  LossFunctionWrapper(Fn fn, const std::string& default_name, const LossOptions& options);

 private:
  Fn fn_;
};

/// Throws ValueError unless `reduction` is one Keras accepts (see LossOptions::reduction).
void standardize_reduction(const std::string& reduction);

/// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the higher-ranked tensor
/// ends in a size-1 axis, squeeze it there (or, if the other is 1-D and expand_rank_1, expand that).
std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2, bool expand_rank_1 = true);

/// Keras's reduce_weighted_values: values * sample_weight (broadcast: a (batch,) weight scales each
/// sample), then the reduction. "sum_over_batch_size" divides the sum by the number of values.
Tensor reduce_weighted_values(const Tensor& values, const Tensor& sample_weight, const std::string& reduction);
/// The same with a mask of the values (1 keeps, 0 drops): masked values are left out of the sum
/// and of the "sum_over_batch_size"/"mean" count, as Keras's apply_mask.
Tensor reduce_weighted_values(const Tensor& values, const Tensor& sample_weight, const Tensor& mask,
                              const std::string& reduction);

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
  /// The inverse of to_config (keras.losses.get): a name, or {"class_name", "config"}; throws
  /// ValueError for unknown names and for functions that are not Keras's own.
  static LossArg from_config(const Config& config);

 private:
  std::shared_ptr<const losses::Loss> loss_;
  std::string given_name_;
  bool is_function_ = false;  // a callable: to_config serialises it as Keras serialises a function
};

}  // namespace keras
