#include <keras/optimizers/loss_scale_optimizer.h>

#include <keras/core/graph/trace.h>
#include <keras/core/ops.h>
#include <keras/optimizers/detail.h>

#include <nlohmann/json.hpp>

namespace keras::optimizers {

LossScaleOptimizer::LossScaleOptimizer(OptimizerArg inner_optimizer, LossScaleOptimizerOptions options)
    : Optimizer("LossScaleOptimizer", 0.0,
                OptimizerOptions{.name = options.name.empty() ? "loss_scale_optimizer" : options.name}),
      inner_(inner_optimizer.get()),
      initial_scale_(options.initial_scale),
      dynamic_growth_steps_(options.dynamic_growth_steps),
      step_counter_(VariableOptions{.name = "step_counter", .trainable = false}),
      dynamic_scale_(VariableOptions{.name = "dynamic_scale", .trainable = false}) {
  if (!inner_) throw ValueError("LossScaleOptimizer: inner_optimizer is undefined");
  if (dynamic_growth_steps_ < 1) {
    throw ValueError("LossScaleOptimizer: dynamic_growth_steps must be >= 1. Received: dynamic_growth_steps=" +
                     std::to_string(dynamic_growth_steps_));
  }
  // As Keras: the inner optimizer's own loss scaling would scale the gradients twice.
  inner_->set_loss_scale_factor(std::nullopt);
}

void LossScaleOptimizer::build_extra(const std::vector<Variable>& variables) {
  step_counter_.assign(Tensor::scalar(int32_t{0}));
  dynamic_scale_.assign(Tensor::scalar(static_cast<float>(initial_scale_)));
  track_variable(step_counter_);
  track_variable(dynamic_scale_);
  inner_->build(variables);
}

void LossScaleOptimizer::update_step(const Tensor& /*gradient*/, Variable& /*variable*/, double /*learning_rate*/,
                                     std::vector<Variable>& /*slots*/) {
  // apply_gradients hands every update to the inner optimizer; the base class never gets here.
  throw RuntimeError("LossScaleOptimizer::update_step is not used: the inner optimizer updates the variables");
}

void LossScaleOptimizer::apply_gradients(const Tensors& grads, const std::vector<Variable>& variables) {
  // Traced, the base class records the step as one host node that calls back here on each replay,
  // so the finiteness check reads the gradients of that step instead of stopping the trace.
  if (graph::detail::tracing()) return Optimizer::apply_gradients(grads, variables);
  if (grads.size() != variables.size()) {
    throw ValueError("Optimizer '" + name() + "': apply_gradients received " + std::to_string(grads.size()) +
                     " gradients for " + std::to_string(variables.size()) + " variables; they must match one to one");
  }
  if (grads.empty()) return;
  build(variables);
  bool finite = true;
  for (const Tensor& g : grads) {
    if (g.defined() && is_floating(g.dtype()) && !ops::all(ops::isfinite(g)).item<bool>()) {
      finite = false;
      break;
    }
  }
  if (!finite) {
    step_counter_.assign(Tensor::scalar(int32_t{0}));
    dynamic_scale_.assign(dynamic_scale_.value() / 2.0);
    return;
  }
  const Tensor scale = dynamic_scale_.value();
  Tensors unscaled;
  unscaled.reserve(grads.size());
  for (const Tensor& g : grads) unscaled.push_back(g.defined() ? ops::divide(g, scale.astype(g.dtype())) : g);
  inner_->apply_gradients(unscaled, variables);
  if (step_counter() == dynamic_growth_steps_ - 1) {
    step_counter_.assign(Tensor::scalar(int32_t{0}));
    dynamic_scale_.assign(dynamic_scale_.value() * 2.0);
  } else {
    step_counter_.assign_add(Tensor::scalar(int32_t{1}));
  }
}

double LossScaleOptimizer::dynamic_scale() const {
  return built() ? dynamic_scale_.value().item<double>() : initial_scale_;
}

int64_t LossScaleOptimizer::step_counter() const { return built() ? step_counter_.value().item<int64_t>() : 0; }

int64_t LossScaleOptimizer::iterations() const { return inner_->iterations(); }
double LossScaleOptimizer::learning_rate() const { return inner_->learning_rate(); }
void LossScaleOptimizer::set_learning_rate(double value) { inner_->set_learning_rate(value); }

std::vector<Variable> LossScaleOptimizer::variables() const {
  std::vector<Variable> out = Optimizer::variables();
  for (const Variable& v : inner_->variables()) out.push_back(v);
  return out;
}

void LossScaleOptimizer::finalize_variable_values(const std::vector<Variable>& variables) {
  inner_->finalize_variable_values(variables);
}

Tensor LossScaleOptimizer::scale_loss(const Tensor& loss) const {
  if (!built()) return loss * initial_scale_;
  return ops::multiply(loss, dynamic_scale_.value().astype(loss.dtype()));
}

Config LossScaleOptimizer::get_config() const {
  Config c = Config::object();
  c["name"] = name();
  c["inner_optimizer"] = serialize(*inner_);
  c["initial_scale"] = initial_scale_;
  c["dynamic_growth_steps"] = dynamic_growth_steps_;
  return c;
}

LossScaleOptimizer LossScaleOptimizer::from_config(const Config& config) {
  detail::ConfigReader r(config, "LossScaleOptimizer");
  const Config& inner = r.raw("inner_optimizer");
  if (!inner.is_object()) {
    throw ValueError("LossScaleOptimizer config needs an 'inner_optimizer' dict, got " + config.dump().substr(0, 200));
  }
  LossScaleOptimizerOptions o;
  o.initial_scale = r.number("initial_scale", o.initial_scale);
  o.dynamic_growth_steps = r.integer("dynamic_growth_steps", o.dynamic_growth_steps);
  o.name = r.string("name", o.name);
  // Older Keras wrote the base optimizer's arguments too; only their defaults are accepted, as Keras.
  for (const char* key : {"weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "ema_overwrite_frequency",
                          "loss_scale_factor", "gradient_accumulation_steps"}) {
    if (!r.raw(key).is_null()) {
      throw ValueError(std::string("LossScaleOptimizer does not support `") + key + "`. Instead, set `" + key +
                       "` on the `inner_optimizer`.");
    }
  }
  if (r.boolean("use_ema", false)) {
    throw ValueError("LossScaleOptimizer does not support `use_ema`. Instead, set `use_ema` on the `inner_optimizer`.");
  }
  if (r.number("ema_momentum", 0.99) != 0.99) {
    throw ValueError("LossScaleOptimizer does not support `ema_momentum`. Instead, set `ema_momentum` on the "
                     "`inner_optimizer`.");
  }
  if (!r.boolean("dynamic", true)) {
    throw ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set `loss_scale_factor` "
                     "directly on the `inner_optimizer`.");
  }
  r.finish();
  return LossScaleOptimizer(deserialize(inner), o);
}

}  // namespace keras::optimizers
