#include <keras/optimizers/nadam.h>

#include <keras/core/ops.h>
#include <keras/optimizers/detail.h>

namespace keras::optimizers {

Nadam::Nadam(NadamOptions options)
    : Optimizer("Nadam", options.learning_rate, detail::common_options(options, "nadam")),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon),
      // Keras makes it with backend.Variable(1.0) and no name, hence Keras's default "variable".
      u_product_(VariableOptions{.name = "variable", .trainable = false}) {}

void Nadam::build_slots(const Variable& variable, std::vector<Variable>& slots) {
  slots.push_back(make_slot(variable, "momentum"));
  slots.push_back(make_slot(variable, "velocity"));
}

void Nadam::build_extra(const std::vector<Variable>& variables) {
  const DType dtype = variables.empty() ? DType::float32 : variables[0].dtype();
  u_product_.assign(Tensor::scalar(1.0, dtype));
  track_variable(u_product_);
}

void Nadam::before_update_steps() {
  const Tensor u = u_product_.value();
  const Tensor step = detail::scalar(static_cast<double>(local_step()), u);
  u_product_.assign(u * beta_1_ * (1.0 - 0.5 * ops::power(detail::scalar(0.96, u), step)));
}

void Nadam::update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                        std::vector<Variable>& slots) {
  const auto cast = [&gradient](double x) { return detail::scalar(x, gradient); };
  const Tensor lr = cast(learning_rate);
  const Tensor local_step = cast(static_cast<double>(this->local_step()));
  const Tensor next_step = cast(static_cast<double>(this->local_step() + 1));
  const Tensor decay = cast(0.96);
  const Tensor beta_1 = cast(beta_1_);
  const Tensor beta_2 = cast(beta_2_);
  const Tensor u_t = beta_1 * (1.0 - 0.5 * ops::power(decay, local_step));
  const Tensor u_t_1 = beta_1 * (1.0 - 0.5 * ops::power(decay, next_step));
  const Tensor u_product_t = u_product_.value().astype(gradient.dtype());
  const Tensor u_product_t_1 = u_product_t * u_t_1;
  const Tensor beta_2_power = ops::power(beta_2, local_step);

  Variable& m = slots[0];
  Variable& v = slots[1];
  m.assign_add((gradient - m.value()) * (1.0 - beta_1));
  v.assign_add((ops::square(gradient) - v.value()) * (1.0 - beta_2));
  const Tensor m_hat = u_t_1 * m.value() / (1.0 - u_product_t_1) + (1.0 - u_t) * gradient / (1.0 - u_product_t);
  const Tensor v_hat = v.value() / (1.0 - beta_2_power);
  variable.assign_sub(m_hat * lr / (ops::sqrt(v_hat) + epsilon_));
}

Config Nadam::get_config() const {
  Config c = Optimizer::get_config();
  c["beta_1"] = beta_1_;
  c["beta_2"] = beta_2_;
  c["epsilon"] = epsilon_;
  return c;
}

Nadam Nadam::from_config(const Config& config) {
  detail::ConfigReader r(config, "Nadam");
  NadamOptions o;
  o.learning_rate = r.learning_rate(o.learning_rate);
  o.beta_1 = r.number("beta_1", o.beta_1);
  o.beta_2 = r.number("beta_2", o.beta_2);
  o.epsilon = r.number("epsilon", o.epsilon);
  detail::read_common_options(r, o);
  r.finish();
  return Nadam(o);
}

}  // namespace keras::optimizers
