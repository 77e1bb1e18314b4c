#include <keras/optimizers/adamax.h>

#include <keras/core/ops.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

Adamax::Adamax(AdamaxOptions options)
    : Optimizer("Adamax", options.learning_rate, detail::common_options(options, "adamax")),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon) {}

void Adamax::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "momentum"));
  slots.push_back(make_slot(variable, "norm"));
}

void Adamax::update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                         std::vector<Variable>& slots) {
  const Tensor lr = detail::scalar(learning_rate, gradient);
  const Tensor step = detail::scalar(static_cast<double>(local_step()), gradient);
  const Tensor beta_1_power = ops::power(detail::scalar(beta_1_, gradient), step);
  Variable& m = slots[0];
  Variable& u = slots[1];
  m.assign_add((gradient - m.value()) * (1 - beta_1_));
  u.assign(ops::maximum(beta_2_ * u.value(), ops::abs(gradient)));
  variable.assign_sub(lr * m.value() / ((1.0 - beta_1_power) * (u.value() + epsilon_)));
}

Config Adamax::get_config() const {
  Config c = Optimizer::get_config();
  c["beta_1"] = beta_1_;
  c["beta_2"] = beta_2_;
  c["epsilon"] = epsilon_;
  return c;
}

Adamax Adamax::from_config(const Config& config) {
  detail::ConfigReader r(config, "Adamax");
  AdamaxOptions o;
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.beta_1 = r.number("beta_1", o.beta_1);
  o.beta_2 = r.number("beta_2", o.beta_2);
  o.epsilon = r.number("epsilon", o.epsilon);
  detail::read_common_options(r, o);
  r.finish();
  return Adamax(o);
}

}  // namespace keras::optimizers
