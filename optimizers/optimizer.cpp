#include <keras/optimizers/optimizer.h>

#include <keras/core/graph/trace.h>
#include <keras/core/ops.h>
#include <keras/kernels/optimizer.h>
#include <keras/optimizers/detail.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <unordered_map>
#include <unordered_set>

namespace keras::optimizers {

struct Optimizer::State {
  std::string class_name;
  std::string name;
  OptimizerOptions options;
  LearningRate schedule = 0.0;  // used only when learning_rate_variable is undefined
  Variable iterations;
  Variable learning_rate_variable;
  bool built = false;
  std::vector<Variable> trainable;  // what build() was given
  std::unordered_map<const void*, size_t> index;
  std::vector<Variable> averages;      // use_ema
  std::vector<Variable> accumulators;  // gradient_accumulation_steps
  std::vector<std::vector<Variable>> slots;
  std::vector<Variable> tracked;  // every state variable, in creation order (Keras's saving order)
  std::unordered_map<const void*, size_t> reference;  // a tracked per-variable slot -> index in trainable
  std::unordered_set<const void*> excluded_from_weight_decay;
  std::optional<std::regex> excluded_names;
};

namespace {

// Keras tests options by truthiness: 0 means off.
bool is_set(const std::optional<double>& v) { return v.has_value() && *v > 0; }
bool accumulates(const OptimizerOptions& o) { return o.gradient_accumulation_steps.value_or(0) != 0; }

std::string slot_name(const Variable& variable, const std::string& suffix) {
  std::string base = variable.name();
  for (char& c : base) {
    if (c == '/' || c == ':') c = '_';
  }
  return base + "_" + suffix;
}

Config optional_json(const std::optional<double>& v) { return v ? Config(*v) : Config(nullptr); }
Config optional_json(const std::optional<int64_t>& v) { return v ? Config(*v) : Config(nullptr); }

}  // namespace

Optimizer::Optimizer(const std::string& class_name, LearningRate learning_rate, const OptimizerOptions& options)
    : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.class_name = class_name;
  s.name = options.name.empty() ? class_name : options.name;
  s.options = options;
  const OptimizerOptions& o = s.options;
  if (accumulates(o) && *o.gradient_accumulation_steps < 2) {
    throw ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: gradient_accumulation_steps=" +
                     std::to_string(*o.gradient_accumulation_steps));
  }
  if (o.use_ema) {
    if (o.ema_momentum > 1 || o.ema_momentum < 0) {
      throw ValueError("`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=" +
                       std::to_string(o.ema_momentum));
    }
    if (o.ema_overwrite_frequency.value_or(0) != 0 && *o.ema_overwrite_frequency < 1) {
      throw ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. Received: ema_overwrite_frequency=" +
                       std::to_string(*o.ema_overwrite_frequency));
    }
  }
  if (o.clipnorm.has_value() + o.clipvalue.has_value() + o.global_clipnorm.has_value() > 1) {
    throw ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=" +
                     optional_json(o.clipnorm).dump() + ", clipvalue=" + optional_json(o.clipvalue).dump() +
                     ", global_clipnorm=" + optional_json(o.global_clipnorm).dump());
  }
  // Keras on torch writes the iteration counter as int32 (fixtures/keras/mlp.keras, optimizer/vars/0).
  s.iterations = Variable(Tensor::scalar(int32_t{0}), {.name = "iteration", .trainable = false});
  s.tracked.push_back(s.iterations);
  if (learning_rate.is_schedule()) {
    s.schedule = std::move(learning_rate);
  } else {
    s.learning_rate_variable = Variable(Tensor::scalar(static_cast<float>(learning_rate.at(0))),
                                        {.name = "learning_rate", .trainable = false});
    s.tracked.push_back(s.learning_rate_variable);
  }
}

bool Optimizer::built() const { return state_->built; }
const std::string& Optimizer::name() const { return state_->name; }
const OptimizerOptions& Optimizer::options() const { return state_->options; }
std::vector<Variable> Optimizer::variables() const { return state_->tracked; }

std::vector<Variable> Optimizer::variable_references() const {
  const State& s = *state_;
  std::vector<Variable> out;
  for (const Variable& v : s.tracked) {
    const auto it = s.reference.find(v.handle());
    out.push_back(it != s.reference.end() && it->second < s.trainable.size() ? s.trainable[it->second] : Variable());
  }
  return out;
}

int64_t Optimizer::raw_iterations() const { return state_->iterations.value().item<int64_t>(); }

int64_t Optimizer::iterations() const {
  const int64_t raw = raw_iterations();
  const auto& steps = state_->options.gradient_accumulation_steps;
  return accumulates(state_->options) ? raw / *steps : raw;
}

int64_t Optimizer::local_step() const { return iterations() + 1; }

double Optimizer::learning_rate() const {
  const State& s = *state_;
  // Schedules see the real step count, even when accumulating (as Keras's _iterations).
  if (!s.learning_rate_variable.defined()) return s.schedule.at(raw_iterations());
  return s.learning_rate_variable.value().item<double>();
}

void Optimizer::set_learning_rate(double value) {
  if (!state_->learning_rate_variable.defined()) {
    throw ValueError("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                     "constructor argument, hence its learning rate is not settable. If you need the learning "
                     "rate to be settable, you should instantiate the optimizer with a float `learning_rate` "
                     "argument.");
  }
  state_->learning_rate_variable.assign(Tensor::scalar(static_cast<float>(value)));
}

Tensor Optimizer::scale_loss(const Tensor& loss) const {
  const auto& factor = state_->options.loss_scale_factor;
  return factor ? loss * *factor : loss;
}

void Optimizer::set_loss_scale_factor(std::optional<double> factor) { state_->options.loss_scale_factor = factor; }

void Optimizer::exclude_from_weight_decay(const std::vector<Variable>& var_list,
                                          const std::vector<std::string>& var_names) {
  if (state_->built) {
    throw ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.");
  }
  state_->excluded_from_weight_decay.clear();
  for (const Variable& v : var_list) state_->excluded_from_weight_decay.insert(v.handle());
  state_->excluded_names.reset();
  if (!var_names.empty()) {
    std::string pattern;
    for (const std::string& n : var_names) pattern += (pattern.empty() ? "" : "|") + n;
    state_->excluded_names.emplace(pattern);
  }
}

bool Optimizer::uses_weight_decay(const Variable& variable) const {
  const State& s = *state_;
  if (s.excluded_from_weight_decay.contains(variable.handle())) return false;
  return !(s.excluded_names && std::regex_search(variable.name(), *s.excluded_names));
}

Variable Optimizer::make_slot(const Variable& variable, const std::string& suffix) const {
  return Variable(ops::zeros(variable.shape(), variable.dtype()), {.name = slot_name(variable, suffix), .trainable = false});
}

Variable Optimizer::make_slot(const Variable& variable, const std::string& suffix, double initial_value) const {
  return Variable(ops::full(variable.shape(), initial_value, variable.dtype()),
                  {.name = slot_name(variable, suffix), .trainable = false});
}

void Optimizer::track_variable(const Variable& variable) { state_->tracked.push_back(variable); }

void Optimizer::build(const std::vector<Variable>& variables) {
  State& s = *state_;
  if (s.built) return;
  for (size_t i = 0; i < variables.size(); ++i) {
    if (!variables[i].defined() || !variables[i].has_value()) {
      throw ValueError("Optimizer '" + s.name + "': variable " + std::to_string(i) +
                       " has no value (is its layer built?)");
    }
    s.index.emplace(variables[i].handle(), i);
  }
  const auto track_slot = [&s](const Variable& slot, size_t i) {
    s.tracked.push_back(slot);
    s.reference.emplace(slot.handle(), i);
  };
  if (s.options.use_ema) {
    for (size_t i = 0; i < variables.size(); ++i) track_slot(s.averages.emplace_back(make_slot(variables[i], "average")), i);
  }
  if (accumulates(s.options)) {
    for (size_t i = 0; i < variables.size(); ++i) {
      track_slot(s.accumulators.emplace_back(make_slot(variables[i], "gradient_accumulator")), i);
    }
  }
  s.slots.assign(variables.size(), {});
  for (int pass = 0; pass <= later_slot_passes(); ++pass) {
    for (size_t i = 0; i < variables.size(); ++i) {
      const size_t before = s.slots[i].size();
      if (pass == 0) {
        build_slots(variables[i], s.slots[i]);
      } else {
        build_later_slots(pass, variables[i], s.slots[i]);
      }
      for (size_t k = before; k < s.slots[i].size(); ++k) track_slot(s.slots[i][k], i);
    }
  }
  build_extra(variables);
  s.trainable = variables;
  s.built = true;
}

void Optimizer::apply_gradients(const Tensors& grads, const std::vector<Variable>& variables) {
  if (graph::detail::tracing()) {
    // Traced, the whole step is one host node: each replay reads the iteration count, learning rate
    // schedule and slots as they are then, and runs the fused updates in place.
    graph::detail::host_call("apply_gradients[" + class_name() + "]", grads, [this, variables](const Tensors& g) {
      apply_gradients(g, variables);
      return Tensors{};
    });
    return;
  }
  State& s = *state_;
  if (grads.size() != variables.size()) {
    throw ValueError("Optimizer '" + s.name + "': apply_gradients received " + std::to_string(grads.size()) +
                     " gradients for " + std::to_string(variables.size()) + " variables; they must match one to one");
  }
  if (grads.empty()) return;
  build(variables);

  Tensors kept_grads;
  std::vector<Variable> kept;
  for (size_t i = 0; i < grads.size(); ++i) {
    const Variable& v = variables[i];
    if (!s.index.contains(v.handle())) {
      throw ValueError("Unknown variable: '" + v.name() + "'. This optimizer can only be called for the variables it "
                       "was originally built with. When working with a new set of variables, you should recreate a "
                       "new optimizer instance.");
    }
    if (!grads[i].defined()) continue;  // None: Keras filters it out (with a warning)
    if (grads[i].shape() != v.shape()) {
      throw ValueError("Optimizer '" + s.name + "': the gradient for variable '" + v.name() + "' has shape " +
                       grads[i].shape().str() + ", but the variable has shape " + v.shape().str());
    }
    kept_grads.push_back(grads[i]);
    kept.push_back(v);
  }
  if (kept.empty()) throw ValueError("No gradients provided for any variable.");

  if (const auto& scale = s.options.loss_scale_factor) {
    for (Tensor& g : kept_grads) g = g / *scale;
  }

  if (accumulates(s.options)) {
    const int64_t steps = *s.options.gradient_accumulation_steps;
    std::vector<Variable> acc;
    for (const Variable& v : kept) acc.push_back(s.accumulators[s.index.at(v.handle())]);
    if ((raw_iterations() + 1) % steps == 0) {
      for (size_t i = 0; i < kept.size(); ++i) kept_grads[i] = (kept_grads[i] + acc[i].value()) / static_cast<double>(steps);
      update(std::move(kept_grads), kept);
      for (Variable& a : s.accumulators) a.assign(ops::zeros(a.shape(), a.dtype()));
    } else {
      for (size_t i = 0; i < kept.size(); ++i) acc[i].assign(kept_grads[i] + acc[i].value());
    }
  } else {
    update(std::move(kept_grads), kept);
  }

  if (s.options.use_ema) {
    const bool first_step = iterations() == 0;
    for (size_t i = 0; i < s.trainable.size(); ++i) {
      const Tensor var = s.trainable[i].value();
      // Keras: momentum = cast(iterations != 0, dtype) * ema_momentum, so the first step copies.
      const Tensor momentum = detail::scalar(first_step ? 0.0 : 1.0, var) * s.options.ema_momentum;
      s.averages[i].assign(momentum * s.averages[i].value() + (1.0 - momentum) * var);
    }
    const int64_t every = s.options.ema_overwrite_frequency.value_or(0);
    if (every != 0 && (iterations() + 1) % every == 0) {
      for (size_t i = 0; i < s.trainable.size(); ++i) s.trainable[i].assign(s.averages[i].value());
    }
  }

  for (Variable& v : kept) {
    if (v.constraint()) v.assign(v.constraint()(v.value()));
  }
  s.iterations.assign_add(Tensor::scalar(int32_t{1}));
}

// Keras's clip -> weight decay -> update_step for every variable, on one real (not accumulating) step.
void Optimizer::update(Tensors grads, const std::vector<Variable>& variables) {
  const OptimizerOptions& o = state_->options;
  if (is_set(o.clipnorm)) {
    for (Tensor& g : grads) {
      // g * clipnorm / max(||g||, clipnorm): unchanged when the norm is within bounds.
      const Tensor norm = ops::sqrt(ops::sum(ops::square(g)));
      g = g * *o.clipnorm / ops::maximum(norm, detail::scalar(*o.clipnorm, norm));
    }
  } else if (is_set(o.global_clipnorm)) {
    Tensor squared;
    for (const Tensor& g : grads) {
      const Tensor s = ops::sum(ops::square(g));
      squared = squared.defined() ? squared + s : s;
    }
    const Tensor norm = ops::sqrt(squared);
    const double clip = *o.global_clipnorm;
    // (norm - norm) turns the scale into NaN when the norm is inf or NaN, as Keras does.
    const Tensor scale = clip * ops::minimum(1.0 / norm, detail::scalar(1.0 / clip, norm)) + (norm - norm);
    for (Tensor& g : grads) g = g * scale;
  } else if (is_set(o.clipvalue)) {
    for (Tensor& g : grads) g = ops::clip(g, -*o.clipvalue, *o.clipvalue);
  }

  const double lr = learning_rate();
  if (o.weight_decay) {
    for (const Variable& v : variables) {
      if (!uses_weight_decay(v)) continue;
      if (kernels::fused_update_supported(v.dtype(), v.value().device())) {
        kernels::weight_decay_update(Variable(v).writable_value(), *o.weight_decay, lr);
        continue;
      }
      const Tensor value = v.value();
      Variable(v).assign(value - value * detail::scalar(*o.weight_decay, value) * detail::scalar(lr, value));
    }
  }

  before_update_steps();
  for (size_t i = 0; i < variables.size(); ++i) {
    Variable v = variables[i];
    update_step(grads[i].astype(v.dtype()), v, lr, state_->slots[state_->index.at(v.handle())]);
  }
}

void Optimizer::finalize_variable_values(const std::vector<Variable>& variables) {
  State& s = *state_;
  if (!s.options.use_ema) return;
  if (variables.size() != s.averages.size()) {
    throw ValueError("The length of model variables (" + std::to_string(variables.size()) +
                     ") to override does not match the length of model variables stored in the optimizer (" +
                     std::to_string(s.averages.size()) + "). Please check if the optimizer was called on your model.");
  }
  for (size_t i = 0; i < variables.size(); ++i) Variable(variables[i]).assign(s.averages[i].value());
}

Config Optimizer::get_config() const {
  const State& s = *state_;
  const OptimizerOptions& o = s.options;
  Config c = Config::object();
  c["name"] = s.name;
  c["learning_rate"] = s.learning_rate_variable.defined() ? Config(learning_rate()) : s.schedule.to_config();
  c["weight_decay"] = optional_json(o.weight_decay);
  c["clipnorm"] = optional_json(o.clipnorm);
  c["global_clipnorm"] = optional_json(o.global_clipnorm);
  c["clipvalue"] = optional_json(o.clipvalue);
  c["use_ema"] = o.use_ema;
  c["ema_momentum"] = o.ema_momentum;
  c["ema_overwrite_frequency"] = optional_json(o.ema_overwrite_frequency);
  c["loss_scale_factor"] = optional_json(o.loss_scale_factor);
  c["gradient_accumulation_steps"] = optional_json(o.gradient_accumulation_steps);
  return c;
}

}  // namespace keras::optimizers
