#pragma once
#include <keras/losses/loss.h>

#include <optional>

/// keras.losses probabilistic losses: crossentropies, Kullback-Leibler divergence, Poisson.
/// Probabilities are clipped to [epsilon, 1 - epsilon] (epsilon = 1e-7) before their logarithm, as
/// Keras does; from_logits=true takes logits through log-sigmoid / log-softmax forms that stay exact
/// for logits of any size.
namespace keras::losses {

/// y_true * log(y_true / y_pred) summed over the last axis, both clipped to [epsilon, 1].
Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred);
/// mean(y_pred - y_true * log(y_pred + epsilon), axis=-1).
Tensor poisson(const Tensor& y_true, const Tensor& y_pred);
/// Mean over `axis` of the elementwise binary crossentropy; y_true and y_pred have one shape.
/// label_smoothing squeezes the labels towards 0.5: y * (1 - s) + s / 2.
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                           double label_smoothing = 0.0, int64_t axis = -1);
/// Binary crossentropy scaled by the focal factor (1 - p_t)^gamma (and, with apply_class_balancing,
/// by alpha for class 1 and 1 - alpha for class 0), averaged over `axis`.
Tensor binary_focal_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool apply_class_balancing = false,
                                 double alpha = 0.25, double gamma = 2.0, bool from_logits = false,
                                 double label_smoothing = 0.0, int64_t axis = -1);
/// -sum(y_true * log(p), axis) for one-hot (or soft) y_true of y_pred's shape; p = y_pred normalised
/// to sum 1 over axis (or softmax of the logits). label_smoothing: y * (1 - s) + s / num_classes.
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                                double label_smoothing = 0.0, int64_t axis = -1);
/// categorical_crossentropy with integer class labels (int or float tensors) of y_pred's shape
/// without `axis`, e.g. (batch,) or (batch, 1) for y_pred (batch, classes). Samples labelled
/// ignore_class get loss 0 (SparseCategoricalCrossentropy also leaves them out of the mean).
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                                       std::optional<int64_t> ignore_class = std::nullopt, int64_t axis = -1);

/// keras.losses.KLDivergence ("kl_divergence").
class KLDivergence final : public LossFunctionWrapper {
 public:
  explicit KLDivergence(LossOptions options = {});
  std::string class_name() const override { return "KLDivergence"; }
  Config get_config() const override;
};

/// keras.losses.Poisson ("poisson").
class Poisson final : public LossFunctionWrapper {
 public:
  explicit Poisson(LossOptions options = {});
  std::string class_name() const override { return "Poisson"; }
  Config get_config() const override;
};

struct BinaryCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  int64_t axis = -1;
  std::string reduction = "sum_over_batch_size";
  std::string name = {};  // empty: "binary_crossentropy"
};

/// keras.losses.BinaryCrossentropy.
class BinaryCrossentropy final : public LossFunctionWrapper {
 public:
  explicit BinaryCrossentropy(BinaryCrossentropyOptions options = {});
  std::string class_name() const override { return "BinaryCrossentropy"; }
  Config get_config() const override;

 private:
  BinaryCrossentropyOptions options_;
};

struct BinaryFocalCrossentropyOptions {
  bool apply_class_balancing = false;
  double alpha = 0.25;
  double gamma = 2.0;
  bool from_logits = false;
  double label_smoothing = 0.0;
  int64_t axis = -1;
  std::string reduction = "sum_over_batch_size";
  std::string name = {};  // empty: "binary_focal_crossentropy"
};

/// keras.losses.BinaryFocalCrossentropy.
class BinaryFocalCrossentropy final : public LossFunctionWrapper {
 public:
  explicit BinaryFocalCrossentropy(BinaryFocalCrossentropyOptions options = {});
  std::string class_name() const override { return "BinaryFocalCrossentropy"; }
  Config get_config() const override;

 private:
  BinaryFocalCrossentropyOptions options_;
};

struct CategoricalCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  int64_t axis = -1;
  std::string reduction = "sum_over_batch_size";
  std::string name = {};  // empty: "categorical_crossentropy"
};

/// keras.losses.CategoricalCrossentropy.
class CategoricalCrossentropy final : public LossFunctionWrapper {
 public:
  explicit CategoricalCrossentropy(CategoricalCrossentropyOptions options = {});
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  Config get_config() const override;

 private:
  CategoricalCrossentropyOptions options_;
};

struct SparseCategoricalCrossentropyOptions {
  bool from_logits = false;
  std::optional<int64_t> ignore_class = {};  // a label (e.g. -1 or 255) whose samples are masked out
  std::string reduction = "sum_over_batch_size";
  std::string name = {};  // empty: "sparse_categorical_crossentropy"
};

/// keras.losses.SparseCategoricalCrossentropy. Samples labelled ignore_class get loss 0 and are
/// masked: "sum_over_batch_size" divides by the number of the others, as Keras.
class SparseCategoricalCrossentropy final : public LossFunctionWrapper {
 public:
  explicit SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
  Tensor compute_mask(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  Config get_config() const override;

 private:
  SparseCategoricalCrossentropyOptions options_;
};

}  // namespace keras::losses
