#include <keras/optimizers/sgd.h>

#include <keras/core/ops.h>
#include <keras/kernels/optimizer.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

SGD::SGD(SGDOptions options)
    : Optimizer("SGD", options.learning_rate, detail::common_options(options, "SGD")),
      momentum_(options.momentum),
      nesterov_(options.nesterov) {
  if (momentum_ < 0 || momentum_ > 1) throw ValueError("`momentum` must be a float between [0, 1].");
}

void SGD::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  if (momentum_ != 0) slots.push_back(make_slot(variable, "momentum"));
}

void SGD::update_step(const Tensor& gradient, Variable& variable, double learning_rate, std::vector<Variable>& slots) {
  if (kernels::fused_update_supported(gradient.dtype(), gradient.device())) {
    const Tensor w = variable.writable_value();
    const Tensor m = momentum_ != 0 ? slots[0].writable_value() : Tensor();
    kernels::sgd_update({.variable = w, .m = m, .gradient = gradient, .learning_rate = learning_rate,
                         .momentum = momentum_, .nesterov = nesterov_});
    return;
  }
  const Tensor lr = detail::scalar(learning_rate, gradient);
  if (momentum_ == 0) {
    variable.assign_sub(gradient * lr);
    return;
  }
  Variable& m = slots[0];
  const Tensor momentum = detail::scalar(momentum_, gradient);
  m.assign(m.value() * momentum - gradient * lr);
  if (nesterov_) {
    variable.assign_add(m.value() * momentum - gradient * lr);
  } else {
    variable.assign_add(m.value());
  }
}

Config SGD::get_config() const {
  Config c = Optimizer::get_config();
  c["momentum"] = momentum_;
  c["nesterov"] = nesterov_;
  return c;
}

SGD SGD::from_config(const Config& config) {
  detail::ConfigReader r(config, "SGD");
  SGDOptions o;
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.momentum = r.number("momentum", o.momentum);
  o.nesterov = r.boolean("nesterov", o.nesterov);
  detail::read_common_options(r, o);
  r.finish();
  return SGD(o);
}

}  // namespace keras::optimizers
