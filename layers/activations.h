#pragma once
#include <keras/core/tensor.h>
#include <keras/layers/config.h>

#include <functional>
#include <string>

namespace keras {

/// An activation function given by Keras name ("relu", "softmax", "linear", ...) or as a callable.
/// Named ones serialise to their name, as Keras does; a callable serialises only when registered
/// with activations::register_activation under a name.
class Activation {
 public:
  Activation() : Activation("linear") {}
  Activation(const char* name);         // NOLINT: {.activation = "relu"}
  Activation(const std::string& name);  // NOLINT
  Activation(std::function<Tensor(const Tensor&)> fn, std::string name = "");  // NOLINT
  template <class F>
    requires std::is_invocable_r_v<Tensor, F, const Tensor&> && (!std::is_convertible_v<F, std::string>)
  Activation(F fn) : Activation(std::function<Tensor(const Tensor&)>(std::move(fn))) {}  // NOLINT

  Tensor operator()(const Tensor& x) const { return fn_(x); }
  /// The Keras name; empty for an unregistered callable.
  const std::string& name() const { return name_; }
  bool is_linear() const { return name_ == "linear"; }
  /// True when this is Keras's built-in activation `name` (not a callable given or registered under it),
  /// so layers may fuse it into their kernels.
  bool is_builtin(const std::string& name) const { return builtin_ && name_ == name; }
  /// The config value: the name; throws ValueError for an unnamed callable.
  Config to_config() const;
  static Activation from_config(const Config& config);

 private:
  std::string name_;
  std::function<Tensor(const Tensor&)> fn_;
  bool builtin_ = false;
};

namespace activations {
/// Every built-in activation name (Keras 3's keras.activations).
std::vector<std::string> names();
/// Makes a custom activation available by name (so models using it save and load).
void register_activation(const std::string& name, std::function<Tensor(const Tensor&)> fn);
}  // namespace activations

}  // namespace keras
