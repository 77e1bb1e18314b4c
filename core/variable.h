#pragma once
#include <keras/core/tensor.h>

#include <functional>
#include <memory>
#include <string>

namespace keras {

struct VariableOptions {
  std::string name = {};  // empty: "variable"
  bool trainable = true;
};

/// keras.Variable: the one mutable thing. A named buffer that layers own and optimizers update.
/// Reading gives an immutable Tensor; an active GradientTape watches trainable variables it sees read.
/// Copies of a Variable are handles to the same variable.
class Variable {
 public:
  Variable() = default;
  explicit Variable(const Tensor& initial_value, VariableOptions options = {});
  /// A declared variable with no value yet; its first assign() gives it one (layers create their
  /// weights this way in build(), so that every copy of the layer shares them).
  explicit Variable(VariableOptions options);

  /// The current value. Tensors read earlier keep the value they had.
  Tensor value() const;
  operator Tensor() const { return value(); }  // NOLINT: a Variable reads as a Tensor, as in Keras

  /// Replaces the value; `value` must have this variable's shape (its dtype is converted).
  /// The first assign of a declared variable sets its shape and dtype.
  void assign(const Tensor& value);
  void assign_add(const Tensor& delta);
  void assign_sub(const Tensor& delta);
  /// For fused optimizer updates: the value, as a tensor whose buffer (through mutable_data()) the
  /// caller may overwrite to update this variable in place. When a Tensor read earlier still shares
  /// the buffer, the value is copied first, so that Tensor keeps its value.
  Tensor writable_value();

  bool defined() const { return impl_ != nullptr; }
  /// False for a declared variable that was never assigned.
  bool has_value() const;
  /// The projection optimizers apply after each update (keras.constraints); may be empty.
  const std::function<Tensor(const Tensor&)>& constraint() const;
  void set_constraint(std::function<Tensor(const Tensor&)> constraint);
  const std::string& name() const;
  bool trainable() const;
  void set_trainable(bool trainable);
  const Shape& shape() const;
  DType dtype() const;
  /// Identity of the variable (stable across assignments).
  const void* handle() const { return impl_.get(); }
  bool operator==(const Variable& other) const { return impl_ == other.impl_; }

 private:
  struct Impl {
    Tensor value;
    std::string name = {};
    bool trainable;
    std::function<Tensor(const Tensor&)> constraint;
  };
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;
};

}  // namespace keras
