#pragma once
#include <keras/core/tensor.h>
#include <keras/layers/config.h>

#include <memory>
#include <string>

namespace keras {

namespace regularizers {
/// Base of keras.regularizers classes: maps a weight to a scalar penalty added to the model's losses.
class RegularizerBase {
 public:
  virtual ~RegularizerBase() = default;
  virtual Tensor operator()(const Tensor& x) const = 0;
  virtual std::string class_name() const = 0;
  virtual Config get_config() const = 0;
};
}  // namespace regularizers

/// A regularizer by Keras name ("l1", "l2", "l1_l2") or object, or none (the default).
class Regularizer {
 public:
  Regularizer() = default;
  Regularizer(std::nullptr_t) {}         // NOLINT
  Regularizer(const char* name);         // NOLINT
  Regularizer(const std::string& name);  // NOLINT
  template <class T>
    requires std::is_base_of_v<regularizers::RegularizerBase, T>
  Regularizer(T impl) : impl_(std::make_shared<T>(std::move(impl))) {}  // NOLINT

  explicit operator bool() const { return impl_ != nullptr; }
  Tensor operator()(const Tensor& x) const;
  /// null when none; else a Keras 3 object dict.
  Config to_config() const;
  static Regularizer from_config(const Config& config);

 private:
  std::shared_ptr<const regularizers::RegularizerBase> impl_;
};

namespace regularizers {

struct L1Options { double l1 = 0.01; };
/// l1 * sum(|x|).
class L1 final : public RegularizerBase {
 public:
  explicit L1(L1Options options = {});
  Tensor operator()(const Tensor& x) const override;
  std::string class_name() const override { return "L1"; }
  Config get_config() const override;
 private:
  L1Options options_;
};

struct L2Options { double l2 = 0.01; };
/// l2 * sum(x^2).
class L2 final : public RegularizerBase {
 public:
  explicit L2(L2Options options = {});
  Tensor operator()(const Tensor& x) const override;
  std::string class_name() const override { return "L2"; }
  Config get_config() const override;
 private:
  L2Options options_;
};

struct L1L2Options { double l1 = 0.0; double l2 = 0.0; };
class L1L2 final : public RegularizerBase {
 public:
  explicit L1L2(L1L2Options options = {});
  Tensor operator()(const Tensor& x) const override;
  std::string class_name() const override { return "L1L2"; }
  Config get_config() const override;
 private:
  L1L2Options options_;
};

}  // namespace regularizers
}  // namespace keras
