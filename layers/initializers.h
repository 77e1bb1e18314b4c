#pragma once
#include <keras/core/random.h>
#include <keras/core/tensor.h>
#include <keras/layers/config.h>

#include <memory>
#include <optional>
#include <string>

namespace keras {

namespace initializers {
/// Base of keras.initializers classes: makes a tensor of a shape and dtype.
class InitializerBase {
 public:
  virtual ~InitializerBase() = default;
  virtual Tensor operator()(const Shape& shape, DType dtype) const = 0;
  /// Keras class name: "GlorotUniform", ...
  virtual std::string class_name() const = 0;
  virtual Config get_config() const;
};
}  // namespace initializers

/// An initializer by Keras name ("glorot_uniform", "zeros", ...) or object
/// (initializers::HeNormal({.seed = 1})). Serialises as Keras 3 does:
/// {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {...}, "registered_name": null}.
class Initializer {
 public:
  Initializer(const char* name);         // NOLINT: {.kernel_initializer = "he_normal"}
  Initializer(const std::string& name);  // NOLINT
  template <class T>
    requires std::is_base_of_v<initializers::InitializerBase, T>
  Initializer(T impl) : impl_(std::make_shared<T>(std::move(impl))) {}  // NOLINT

  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const { return (*impl_)(shape, dtype); }
  std::string class_name() const { return impl_->class_name(); }
  Config to_config() const;
  /// Accepts a name, a Keras 3 object dict or a Keras 2 {"class_name", "config"} dict.
  static Initializer from_config(const Config& config);

 private:
  std::shared_ptr<const initializers::InitializerBase> impl_;
};

/// keras.initializers. Unseeded random initializers draw from the global generator
/// (keras::utils::set_random_seed); seeded ones give the same values on every call, as Keras.
namespace initializers {

class Zeros final : public InitializerBase {
 public:
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "Zeros"; }
};

class Ones final : public InitializerBase {
 public:
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "Ones"; }
};

struct ConstantOptions { double value = 0.0; };
class Constant final : public InitializerBase {
 public:
  explicit Constant(ConstantOptions options = {}) : options_(options) {}
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "Constant"; }
  Config get_config() const override;
 private:
  ConstantOptions options_;
};

struct RandomNormalOptions { double mean = 0.0; double stddev = 0.05; std::optional<uint64_t> seed = {}; };
class RandomNormal final : public InitializerBase {
 public:
  explicit RandomNormal(RandomNormalOptions options = {}) : options_(options) {}
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "RandomNormal"; }
  Config get_config() const override;
 private:
  RandomNormalOptions options_;
};

class TruncatedNormal final : public InitializerBase {
 public:
  explicit TruncatedNormal(RandomNormalOptions options = {}) : options_(options) {}
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "TruncatedNormal"; }
  Config get_config() const override;
 private:
  RandomNormalOptions options_;
};

struct RandomUniformOptions { double minval = -0.05; double maxval = 0.05; std::optional<uint64_t> seed = {}; };
class RandomUniform final : public InitializerBase {
 public:
  explicit RandomUniform(RandomUniformOptions options = {}) : options_(options) {}
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "RandomUniform"; }
  Config get_config() const override;
 private:
  RandomUniformOptions options_;
};

/// keras.initializers.VarianceScaling: mode "fan_in" | "fan_out" | "fan_avg";
/// distribution "truncated_normal" | "untruncated_normal" | "uniform".
struct VarianceScalingOptions {
  double scale = 1.0;
  std::string mode = "fan_in";
  std::string distribution = "truncated_normal";
  std::optional<uint64_t> seed = {};
};
class VarianceScaling : public InitializerBase {
 public:
  explicit VarianceScaling(VarianceScalingOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "VarianceScaling"; }
  Config get_config() const override;
 protected:
  VarianceScalingOptions options_;
};

struct SeedOptions { std::optional<uint64_t> seed = {}; };
#define KERAS_VARIANCE_SCALING_INITIALIZER(Name)                                    \
  class Name final : public VarianceScaling {                                      \
   public:                                                                         \
    explicit Name(SeedOptions options = {});                                       \
    std::string class_name() const override { return #Name; }                      \
    Config get_config() const override;                                            \
  };
KERAS_VARIANCE_SCALING_INITIALIZER(GlorotUniform)
KERAS_VARIANCE_SCALING_INITIALIZER(GlorotNormal)
KERAS_VARIANCE_SCALING_INITIALIZER(HeNormal)
KERAS_VARIANCE_SCALING_INITIALIZER(HeUniform)
KERAS_VARIANCE_SCALING_INITIALIZER(LecunNormal)
KERAS_VARIANCE_SCALING_INITIALIZER(LecunUniform)
#undef KERAS_VARIANCE_SCALING_INITIALIZER

struct OrthogonalOptions { double gain = 1.0; std::optional<uint64_t> seed = {}; };
/// A (semi-)orthogonal matrix from the QR decomposition of a normal matrix; shapes of rank >= 2
/// are flattened to (prod(shape[:-1]), shape[-1]).
class Orthogonal final : public InitializerBase {
 public:
  explicit Orthogonal(OrthogonalOptions options = {}) : options_(options) {}
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "Orthogonal"; }
  Config get_config() const override;
 private:
  OrthogonalOptions options_;
};

struct IdentityOptions { double gain = 1.0; };
/// gain * eye for 2-D shapes; ValueError otherwise.
class Identity final : public InitializerBase {
 public:
  explicit Identity(IdentityOptions options = {}) : options_(options) {}
  Tensor operator()(const Shape& shape, DType dtype) const override;
  std::string class_name() const override { return "Identity"; }
  Config get_config() const override;
 private:
  IdentityOptions options_;
};

/// (fan_in, fan_out) with Keras's rules: 2-D (in, out); >= 3-D kernels multiply by the receptive field.
std::pair<double, double> compute_fans(const Shape& shape);

}  // namespace initializers
}  // namespace keras
