#pragma once
#include <keras/core/tensor.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace keras {

struct VariableOptions {
  std::string name = {};  // empty: "variable"
  bool trainable = true;
  bool autocast = true;  // read in the compute dtype of an enclosing AutocastScope (mixed precision)
};

/// Keras's AutocastScope: while one is active, floating variables whose `autocast` flag is set are
/// read cast to its dtype (layers open one around `call` under a mixed policy); std::nullopt opens
/// a scope that turns autocasting off. Scopes nest per thread; the innermost one applies.
class AutocastScope {
 public:
  explicit AutocastScope(std::optional<DType> dtype);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;
  /// The innermost scope's dtype; std::nullopt when no scope is active or it turns autocasting off.
  static std::optional<DType> current();
  /// Whether any scope is active (even one that turns autocasting off), as Keras's get_autocast_scope().
  static bool active();

 private:
  std::optional<DType> previous_;
  bool previous_active_;
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

  /// The current value, cast to the dtype of an active AutocastScope when `autocast()` is set and
  /// the value is floating (the cast records a gradient, so gradients reach the variable in its
  /// own dtype). Tensors read earlier keep the value they had.
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
  /// Whether AutocastScope casts this variable when it is read (Keras's `autocast`).
  bool autocast() const;
  void set_autocast(bool autocast);
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
    bool autocast = true;
    std::function<Tensor(const Tensor&)> constraint;
  };
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;
};

}  // namespace keras
