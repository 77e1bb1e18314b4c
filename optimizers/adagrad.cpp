#include <keras/optimizers/adagrad.h>

#include <keras/core/ops.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

Adagrad::Adagrad(AdagradOptions options)
    : Optimizer("Adagrad", options.learning_rate, detail::common_options(options, "adagrad")),
      initial_accumulator_value_(options.initial_accumulator_value),
      epsilon_(options.epsilon) {}

void Adagrad::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "accumulator", initial_accumulator_value_));
}

void Adagrad::update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                          std::vector<Variable>& slots) {
  const Tensor lr = detail::scalar(learning_rate, gradient);
  Variable& accumulator = slots[0];
  accumulator.assign_add(ops::square(gradient));
  variable.assign_sub(lr * gradient / ops::sqrt(accumulator.value() + epsilon_));
}

Config Adagrad::get_config() const {
  Config c = Optimizer::get_config();
  c["initial_accumulator_value"] = initial_accumulator_value_;
  c["epsilon"] = epsilon_;
  return c;
}

Adagrad Adagrad::from_config(const Config& config) {
  detail::ConfigReader r(config, "Adagrad");
  AdagradOptions o;
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.initial_accumulator_value = r.number("initial_accumulator_value", o.initial_accumulator_value);
  o.epsilon = r.number("epsilon", o.epsilon);
  detail::read_common_options(r, o);
  r.finish();
  return Adagrad(o);
}

}  // namespace keras::optimizers
