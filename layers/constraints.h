#pragma once
#include <keras/core/tensor.h>
#include <keras/layers/config.h>

#include <memory>
#include <string>

namespace keras {

namespace constraints {
/// Base of keras.constraints classes: projects a weight back onto its allowed set after an update.
class ConstraintBase {
 public:
  virtual ~ConstraintBase() = default;
  virtual Tensor operator()(const Tensor& w) const = 0;
  virtual std::string class_name() const = 0;
  virtual Config get_config() const;
};
}  // namespace constraints

/// A constraint by Keras name ("max_norm", "non_neg", "unit_norm", "min_max_norm") or object, or none.
/// Optimizers apply it to the variable after each update, as Keras does.
class Constraint {
 public:
  Constraint() = default;
  Constraint(std::nullptr_t) {}         // NOLINT
  Constraint(const char* name);         // NOLINT
  Constraint(const std::string& name);  // NOLINT
  template <class T>
    requires std::is_base_of_v<constraints::ConstraintBase, T>
  Constraint(T impl) : impl_(std::make_shared<T>(std::move(impl))) {}  // NOLINT

  explicit operator bool() const { return impl_ != nullptr; }
  Tensor operator()(const Tensor& w) const;
  Config to_config() const;
  static Constraint from_config(const Config& config);

 private:
  std::shared_ptr<const constraints::ConstraintBase> impl_;
};

namespace constraints {

struct MaxNormOptions { double max_value = 2.0; int64_t axis = 0; };
/// Rescales slices along `axis` whose L2 norm exceeds max_value.
class MaxNorm final : public ConstraintBase {
 public:
  explicit MaxNorm(MaxNormOptions options = {}) : options_(options) {}
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "MaxNorm"; }
  Config get_config() const override;
 private:
  MaxNormOptions options_;
};

/// Sets negative weights to zero.
class NonNeg final : public ConstraintBase {
 public:
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "NonNeg"; }
};

struct UnitNormOptions { int64_t axis = 0; };
class UnitNorm final : public ConstraintBase {
 public:
  explicit UnitNorm(UnitNormOptions options = {}) : options_(options) {}
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "UnitNorm"; }
  Config get_config() const override;
 private:
  UnitNormOptions options_;
};

struct MinMaxNormOptions { double min_value = 0.0; double max_value = 1.0; double rate = 1.0; int64_t axis = 0; };
class MinMaxNorm final : public ConstraintBase {
 public:
  explicit MinMaxNorm(MinMaxNormOptions options = {}) : options_(options) {}
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "MinMaxNorm"; }
  Config get_config() const override;
 private:
  MinMaxNormOptions options_;
};

}  // namespace constraints
}  // namespace keras
