#include <keras/optimizers/adadelta.h>

#include <keras/core/ops.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

Adadelta::Adadelta(AdadeltaOptions options)
    : Optimizer("Adadelta", options.learning_rate, detail::common_options(options, "adadelta")),
      rho_(options.rho),
      epsilon_(options.epsilon) {}

void Adadelta::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "accumulated_grad"));
  slots.push_back(make_slot(variable, "accumulated_delta_var"));
}

void Adadelta::update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                           std::vector<Variable>& slots) {
  const Tensor lr = detail::scalar(learning_rate, gradient);
  Variable& accumulated_grad = slots[0];
  Variable& accumulated_delta_var = slots[1];
  const auto rms = [this](const Tensor& x) { return ops::sqrt(x + epsilon_); };
  accumulated_grad.assign(rho_ * accumulated_grad.value() + (1 - rho_) * ops::square(gradient));
  const Tensor delta_var = -(rms(accumulated_delta_var.value()) * gradient / rms(accumulated_grad.value()));
  accumulated_delta_var.assign(rho_ * accumulated_delta_var.value() + (1 - rho_) * ops::square(delta_var));
  variable.assign_add(lr * delta_var);
}

Config Adadelta::get_config() const {
  Config c = Optimizer::get_config();
  c["rho"] = rho_;
  c["epsilon"] = epsilon_;
  return c;
}

Adadelta Adadelta::from_config(const Config& config) {
  detail::ConfigReader r(config, "Adadelta");
  AdadeltaOptions o;
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.rho = r.number("rho", o.rho);
  o.epsilon = r.number("epsilon", o.epsilon);
  detail::read_common_options(r, o);
  r.finish();
  return Adadelta(o);
}

}  // namespace keras::optimizers
