#include <keras/core/variable.h>

#include <keras/core/device_scope.h>
#include <keras/core/gradient_tape.h>
#include <keras/core/graph/trace.h>
#include <keras/core/ops/elementwise.h>
#include <keras/kernels/cast.h>

namespace keras {

namespace {
thread_local std::optional<DType> autocast_dtype;
thread_local bool autocast_active = false;
}  // namespace

AutocastScope::AutocastScope(std::optional<DType> dtype) : previous_(autocast_dtype), previous_active_(autocast_active) {
  if (dtype && !is_floating(*dtype)) {
    throw ValueError("AutocastScope can only be used with a floating-point target dtype. Received: dtype=" +
                     std::string(dtype_name(*dtype)));
  }
  autocast_dtype = dtype;
  autocast_active = true;
}

AutocastScope::~AutocastScope() {
  autocast_dtype = previous_;
  autocast_active = previous_active_;
}

std::optional<DType> AutocastScope::current() { return autocast_dtype; }
bool AutocastScope::active() { return autocast_active; }

Variable::Variable(const Tensor& initial_value, VariableOptions options) {
  if (!initial_value.defined()) throw ValueError("Variable: the initial value is undefined (None)");
  impl_ = std::make_shared<Impl>(
      Impl{initial_value, options.name.empty() ? "variable" : std::move(options.name), options.trainable,
           options.autocast, {}});
  if (graph::detail::tracing()) impl_->value = graph::detail::on_variable_assign(*this, initial_value, true);
}

Variable::Variable(VariableOptions options)
    : impl_(std::make_shared<Impl>(
          Impl{Tensor(), options.name.empty() ? "variable" : std::move(options.name), options.trainable,
               options.autocast, {}})) {}

bool Variable::has_value() const { return impl().value.defined(); }

const std::function<Tensor(const Tensor&)>& Variable::constraint() const { return impl().constraint; }

void Variable::set_constraint(std::function<Tensor(const Tensor&)> constraint) {
  impl().constraint = std::move(constraint);
}

Variable::Impl& Variable::impl() const {
  if (!impl_) throw ValueError("Variable is undefined: it was default-constructed and never assigned");
  return *impl_;
}

Tensor Variable::value() const {
  const Impl& v = impl();
  if (!v.value.defined()) {
    throw ValueError("Variable '" + v.name + "' has no value yet: it is declared but its layer is not built");
  }
  // A traced read is a graph node, so that a replay reads the value the variable has then.
  const Tensor value = graph::detail::tracing() ? graph::detail::on_variable_read(*this, v.value) : v.value;
  if (v.trainable && autograd::tape_active()) autograd::variable_accessed(*this, value);
  if (autocast_dtype && v.autocast && is_floating(value.dtype()) && value.dtype() != *autocast_dtype) {
    return ops::cast(value, *autocast_dtype);
  }
  return value;
}

void Variable::assign(const Tensor& value) {
  Impl& v = impl();
  if (!value.defined()) throw ValueError("Variable '" + v.name + "': cannot assign an undefined (None) tensor");
  if (!v.value.defined()) {
    v.value = graph::detail::tracing() ? graph::detail::on_variable_assign(*this, value, true) : value;
    return;
  }
  if (value.shape() != v.value.shape()) {
    throw ValueError("Variable '" + v.name + "' has shape " + v.value.shape().str() +
                     ", but the assigned value has shape " + value.shape().str());
  }
  // The variable keeps its device, except that inside a DeviceScope a value on the scope's device
  // takes the variable there (how Model::to moves weights, and fit keeps metric state on the GPU).
  const Device scope = default_device();
  const Device device = value.device() == scope ? scope : v.value.device();
  const Tensor stored = value.astype(v.value.dtype()).to(device);
  v.value = graph::detail::tracing() ? graph::detail::on_variable_assign(*this, stored, false) : stored;
}

namespace {
// The current value for an update: a traced read while tracing (without the tape's watch).
Tensor current(const Variable& variable, const Tensor& value) {
  return graph::detail::tracing() ? graph::detail::on_variable_read(variable, value) : value;
}
}  // namespace

// NOTE: an update makes a new buffer, so tensors read before it keep their values (immutability).
void Variable::assign_add(const Tensor& delta) { assign(current(*this, impl().value) + delta); }
void Variable::assign_sub(const Tensor& delta) { assign(current(*this, impl().value) - delta); }

Tensor Variable::writable_value() {
  Impl& v = impl();
  if (!v.value.defined()) {
    throw ValueError("Variable '" + v.name + "' has no value yet: it is declared but its layer is not built");
  }
  // A cast to a fresh buffer is the copy; the old buffer stays with whoever still reads it.
  if (!v.value.sole_owner()) v.value = kernels::cast(v.value, v.value.dtype());
  return v.value;
}

const std::string& Variable::name() const { return impl().name; }
bool Variable::trainable() const { return impl().trainable; }
bool Variable::autocast() const { return impl().autocast; }
void Variable::set_autocast(bool autocast) { impl().autocast = autocast; }
void Variable::set_trainable(bool trainable) { impl().trainable = trainable; }
const Shape& Variable::shape() const { return impl().value.shape(); }
DType Variable::dtype() const { return impl().value.dtype(); }


}  // namespace keras
