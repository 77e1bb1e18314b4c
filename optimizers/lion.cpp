#include <keras/optimizers/lion.h>

#include <keras/core/ops.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

Lion::Lion(LionOptions options)
    : Optimizer("Lion", options.learning_rate, detail::common_options(options, "lion")),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2) {
  if (beta_1_ <= 0 || beta_1_ > 1) {
    throw ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to "
                     "SignSGD. Received: beta_1=" + std::to_string(beta_1_) + ".");
  }
}

void Lion::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "momentum"));
}

void Lion::update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                       std::vector<Variable>& slots) {
  const Tensor lr = detail::scalar(learning_rate, gradient);
  const Tensor beta_1 = detail::scalar(beta_1_, gradient);
  const Tensor beta_2 = detail::scalar(beta_2_, gradient);
  Variable& m = slots[0];
  variable.assign_sub(lr * ops::sign(m.value() * beta_1 + gradient * (1.0 - beta_1)));
  m.assign(m.value() * beta_2 + gradient * (1.0 - beta_2));
}

Config Lion::get_config() const {
  Config c = Optimizer::get_config();
  c["beta_1"] = beta_1_;
  c["beta_2"] = beta_2_;
  return c;
}

Lion Lion::from_config(const Config& config) {
  detail::ConfigReader r(config, "Lion");
  LionOptions o;
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.beta_1 = r.number("beta_1", o.beta_1);
  o.beta_2 = r.number("beta_2", o.beta_2);
  detail::read_common_options(r, o);
  r.finish();
  return Lion(o);
}

}  // namespace keras::optimizers
