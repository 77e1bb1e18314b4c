#include <keras/optimizers/adam.h>

#include <keras/core/ops.h>
#include <keras/kernels/optimizer.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

Adam::Adam(AdamOptions options) : Adam("Adam", options, "adam") {}

Adam::Adam(const std::string& class_name, const AdamOptions& options, const char* default_name)
    : Optimizer(class_name, options.learning_rate, detail::common_options(options, default_name)),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon),
      amsgrad_(options.amsgrad) {}

void Adam::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "momentum"));
  slots.push_back(make_slot(variable, "velocity"));
}

void Adam::build_later_slots(int /*pass*/, const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "velocity_hat"));
}

void Adam::update_step(const Tensor& gradient, Variable& variable, double learning_rate, std::vector<Variable>& slots) {
  if (kernels::fused_update_supported(gradient.dtype(), gradient.device())) {
    // One pass in place instead of a dozen ops each making a buffer; the same arithmetic.
    const Tensor w = variable.writable_value();
    const Tensor m = slots[0].writable_value();
    const Tensor v = slots[1].writable_value();
    const Tensor v_hat = amsgrad_ ? slots[2].writable_value() : Tensor();
    kernels::adam_update({.variable = w, .m = m, .v = v, .v_hat = v_hat, .gradient = gradient,
                          .learning_rate = learning_rate, .beta_1 = beta_1_, .beta_2 = beta_2_,
                          .epsilon = epsilon_, .step = static_cast<double>(local_step())});
    return;
  }
  const Tensor lr = detail::scalar(learning_rate, gradient);
  const Tensor step = detail::scalar(static_cast<double>(local_step()), gradient);
  const Tensor beta_1_power = ops::power(detail::scalar(beta_1_, gradient), step);
  const Tensor beta_2_power = ops::power(detail::scalar(beta_2_, gradient), step);
  const Tensor alpha = lr * ops::sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power);

  Variable& m = slots[0];
  Variable& v = slots[1];
  m.assign_add((gradient - m.value()) * (1 - beta_1_));
  v.assign_add((ops::square(gradient) - v.value()) * (1 - beta_2_));
  Tensor velocity = v.value();
  if (amsgrad_) {
    Variable& v_hat = slots[2];
    v_hat.assign(ops::maximum(v_hat.value(), velocity));
    velocity = v_hat.value();
  }
  variable.assign_sub(m.value() * alpha / (ops::sqrt(velocity) + epsilon_));
}

Config Adam::get_config() const {
  Config c = Optimizer::get_config();
  c["beta_1"] = beta_1_;
  c["beta_2"] = beta_2_;
  c["epsilon"] = epsilon_;
  c["amsgrad"] = amsgrad_;
  return c;
}

namespace {
template <class Options>
void read_adam_options(detail::ConfigReader& r, Options& o) {
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.beta_1 = r.number("beta_1", o.beta_1);
  o.beta_2 = r.number("beta_2", o.beta_2);
  o.epsilon = r.number("epsilon", o.epsilon);
  o.amsgrad = r.boolean("amsgrad", o.amsgrad);
  detail::read_common_options(r, o);
  r.finish();
}

AdamOptions adam_options(const AdamWOptions& w) {
  AdamOptions o{.learning_rate = w.learning_rate, .beta_1 = w.beta_1, .beta_2 = w.beta_2, .epsilon = w.epsilon,
                .amsgrad = w.amsgrad, .weight_decay = w.weight_decay};
  const OptimizerOptions common = detail::common_options(w, "adamw");
  o.clipnorm = common.clipnorm;
  o.clipvalue = common.clipvalue;
  o.global_clipnorm = common.global_clipnorm;
  o.use_ema = common.use_ema;
  o.ema_momentum = common.ema_momentum;
  o.ema_overwrite_frequency = common.ema_overwrite_frequency;
  o.loss_scale_factor = common.loss_scale_factor;
  o.gradient_accumulation_steps = common.gradient_accumulation_steps;
  o.name = common.name;
  return o;
}
}  // namespace

Adam Adam::from_config(const Config& config) {
  detail::ConfigReader r(config, "Adam");
  AdamOptions o;
  read_adam_options(r, o);
  return Adam(o);
}

AdamW::AdamW(AdamWOptions options) : Adam("AdamW", adam_options(options), "adamw") {}

AdamW AdamW::from_config(const Config& config) {
  detail::ConfigReader r(config, "AdamW");
  AdamWOptions o;
  // Keras's AdamW rejects weight_decay=None.
  if (config.is_object() && config.contains("weight_decay") && config["weight_decay"].is_null()) {
    throw ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None");
  }
  read_adam_options(r, o);
  return AdamW(o);
}

}  // namespace keras::optimizers
