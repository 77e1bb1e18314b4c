#include <keras/optimizers/rmsprop.h>

#include <keras/core/ops.h>
#include <keras/kernels/optimizer.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

RMSprop::RMSprop(RMSpropOptions options)
    : Optimizer("RMSprop", options.learning_rate, detail::common_options(options, "rmsprop")),
      rho_(options.rho),
      momentum_(options.momentum),
      epsilon_(options.epsilon),
      centered_(options.centered) {}

// Keras creates every velocity, then every momentum, then every average gradient: slots are
// [velocity, momentum (momentum > 0), average_gradient (centered)].
void RMSprop::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "velocity"));
}

void RMSprop::build_later_slots(int pass, const Variable& variable, std::vector<Variable>& slots) {
  if (pass == 1 && momentum_ > 0) slots.push_back(make_slot(variable, "momentum"));
  if (pass == 2 && centered_) slots.push_back(make_slot(variable, "average_gradient"));
}

void RMSprop::update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                          std::vector<Variable>& slots) {
  if (kernels::fused_update_supported(gradient.dtype(), gradient.device())) {
    const Tensor w = variable.writable_value();
    const Tensor velocity = slots[0].writable_value();
    const Tensor momentum = momentum_ > 0 ? slots[1].writable_value() : Tensor();
    const Tensor average_gradient = centered_ ? slots.back().writable_value() : Tensor();
    kernels::rmsprop_update({.variable = w, .velocity = velocity, .momentum_slot = momentum,
                             .average_gradient = average_gradient, .gradient = gradient,
                             .learning_rate = learning_rate, .rho = rho_, .momentum = momentum_,
                             .epsilon = epsilon_});
    return;
  }
  const Tensor lr = detail::scalar(learning_rate, gradient);
  Variable& velocity = slots[0];
  velocity.assign(rho_ * velocity.value() + (1 - rho_) * ops::square(gradient));
  Tensor denominator;
  if (centered_) {
    Variable& average_grad = slots.back();
    average_grad.assign(rho_ * average_grad.value() + (1 - rho_) * gradient);
    denominator = velocity.value() - ops::square(average_grad.value()) + epsilon_;
  } else {
    denominator = velocity.value() + epsilon_;
  }
  const Tensor increment = lr * gradient / ops::sqrt(denominator);
  if (momentum_ > 0) {
    Variable& momentum = slots[1];
    momentum.assign(momentum_ * momentum.value() + increment);
    variable.assign_sub(momentum.value());
  } else {
    variable.assign_sub(increment);
  }
}

Config RMSprop::get_config() const {
  Config c = Optimizer::get_config();
  c["rho"] = rho_;
  c["momentum"] = momentum_;
  c["epsilon"] = epsilon_;
  c["centered"] = centered_;
  return c;
}

RMSprop RMSprop::from_config(const Config& config) {
  detail::ConfigReader r(config, "RMSprop");
  RMSpropOptions o;
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.rho = r.number("rho", o.rho);
  o.momentum = r.number("momentum", o.momentum);
  o.epsilon = r.number("epsilon", o.epsilon);
  o.centered = r.boolean("centered", o.centered);
  detail::read_common_options(r, o);
  r.finish();
  return RMSprop(o);
}

}  // namespace keras::optimizers
