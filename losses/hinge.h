#pragma once
#include <keras/losses/loss.h>

/// keras.losses hinge losses, for labels in {-1, 1}; labels that are all 0 or 1 are mapped to -1 and 1.
namespace keras::losses {

/// mean(maximum(1 - y_true * y_pred, 0), axis=-1).
Tensor hinge(const Tensor& y_true, const Tensor& y_pred);
/// mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1).
Tensor squared_hinge(const Tensor& y_true, const Tensor& y_pred);
/// maximum(neg - pos + 1, 0) with pos = sum(y_true * y_pred, -1), neg = max((1 - y_true) * y_pred, -1),
/// for one-hot y_true.
Tensor categorical_hinge(const Tensor& y_true, const Tensor& y_pred);

/// keras.losses.Hinge ("hinge").
class Hinge final : public LossFunctionWrapper {
 public:
  explicit Hinge(LossOptions options = {});
  std::string class_name() const override { return "Hinge"; }
  Config get_config() const override;
};

/// keras.losses.SquaredHinge ("squared_hinge").
class SquaredHinge final : public LossFunctionWrapper {
 public:
  explicit SquaredHinge(LossOptions options = {});
  std::string class_name() const override { return "SquaredHinge"; }
  Config get_config() const override;
};

/// keras.losses.CategoricalHinge ("categorical_hinge").
class CategoricalHinge final : public LossFunctionWrapper {
 public:
  explicit CategoricalHinge(LossOptions options = {});
  std::string class_name() const override { return "CategoricalHinge"; }
  Config get_config() const override;
};

}  // namespace keras::losses
