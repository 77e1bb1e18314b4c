#pragma once
#include <keras/core/tensor.h>
#include <keras/core/variable.h>
#include <keras/layers/config.h>
#include <keras/optimizers/schedules.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

/// The fields every optimizer's options struct ends with, in Keras's order (after `weight_decay`,
/// which each struct declares itself because AdamW's defaults to 0.004). Designated initialisers
/// need the fields spelled in each struct, hence one macro instead of a base struct.
#define KERAS_OPTIMIZER_COMMON_OPTIONS                      \
  std::optional<double> clipnorm = {};                      \
  std::optional<double> clipvalue = {};                     \
  std::optional<double> global_clipnorm = {};               \
  bool use_ema = false;                                     \
  double ema_momentum = 0.99;                               \
  std::optional<int64_t> ema_overwrite_frequency = {};      \
  std::optional<double> loss_scale_factor = {};             \
  std::optional<int64_t> gradient_accumulation_steps = {};  \
  std::string name = {} /* empty: Keras's default name ("adam", "SGD", ...) */

namespace keras::optimizers {

/// The keyword arguments every Keras optimizer takes (after its own), in Keras's order.
struct OptimizerOptions {
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;
};

/// keras.optimizers.Optimizer. Its state (iterations, learning rate, slot variables, EMA copies)
/// lives in Variables held in shared state, so copies of an optimizer are the same optimizer.
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  /// One step, as Keras's apply: skips undefined gradients (None), unscales by loss_scale_factor,
  /// accumulates (gradient_accumulation_steps), clips, applies weight decay, updates each variable,
  /// updates the EMA, applies constraints, increments iterations. Builds on first use.
  virtual void apply_gradients(const Tensors& grads, const std::vector<Variable>& variables);
  /// Creates the slot variables (moments, ...) for `variables`; apply_gradients calls it.
  virtual void build(const std::vector<Variable>& variables);
  bool built() const;

  /// Keras's `optimizer.iterations`: the steps applied (divided by gradient_accumulation_steps
  /// when accumulating).
  virtual int64_t iterations() const;
  /// The learning rate at the current iteration (a schedule is evaluated).
  virtual double learning_rate() const;
  /// Replaces the learning rate by a constant (as Keras's `optimizer.learning_rate = 0.1`).
  virtual void set_learning_rate(double value);
  /// Every state variable in Keras's saving order: iterations, learning_rate (absent with a
  /// schedule), EMA averages, gradient accumulators, then the optimizer's slots per variable
  /// interleaved (Adam: m0, v0, m1, v1, ...; later passes such as amsgrad's velocity_hat after).
  /// Assigning them restores the state.
  virtual std::vector<Variable> variables() const;
  /// For each of variables(): the model variable it shadows (a slot, EMA average or gradient
  /// accumulator), or an undefined Variable for optimizer-wide state (iterations, learning_rate,
  /// Nadam's u_product). Keras names the former after their reference's path (legacy .h5 files).
  std::vector<Variable> variable_references() const;
  /// With use_ema: overwrites the model variables with their moving averages (Keras's
  /// finalize_variable_values, called at the end of fit).
  virtual void finalize_variable_values(const std::vector<Variable>& variables);
  /// Keras's scale_loss: loss * loss_scale_factor when set (apply_gradients divides it back out).
  virtual Tensor scale_loss(const Tensor& loss) const;
  /// Replaces loss_scale_factor (LossScaleOptimizer clears its inner optimizer's, as Keras does).
  void set_loss_scale_factor(std::optional<double> factor);
  /// Keras's exclude_from_weight_decay: these variables, and those whose name contains one of
  /// `var_names` (a regex search), are not decayed. Only before the optimizer is built.
  void exclude_from_weight_decay(const std::vector<Variable>& var_list,
                                 const std::vector<std::string>& var_names = {});

  const std::string& name() const;
  virtual std::string class_name() const = 0;
  /// Keras's config: {"name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm",
  /// "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
  /// "gradient_accumulation_steps", ...the optimizer's own arguments}.
  virtual Config get_config() const;

 protected:
  Optimizer(const std::string& class_name, LearningRate learning_rate, const OptimizerOptions& options);
  /// Creates this optimizer's slots for one variable (e.g. Adam: momentum and velocity), in order.
  virtual void build_slots(const Variable& variable, std::vector<Variable>& slots) = 0;
  /// How many more passes over all variables build makes after build_slots' (Keras creates e.g.
  /// RMSprop's momentums only after every velocity, Adam's velocity_hats after every m and v).
  virtual int later_slot_passes() const { return 0; }
  /// Pass `pass` (1, 2, ...): appends more slots for one variable.
  virtual void build_later_slots(int /*pass*/, const Variable& /*variable*/, std::vector<Variable>& /*slots*/) {}
  /// Creates optimizer-wide variables after every slot (Nadam's u_product); register them with
  /// track_variable.
  virtual void build_extra(const std::vector<Variable>& /*variables*/) {}
  /// Runs once per update, before the per-variable update_steps (Nadam advances u_product).
  virtual void before_update_steps() {}
  /// Updates one variable given its gradient (already in the variable's dtype), the step's learning
  /// rate and its slots.
  virtual void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                           std::vector<Variable>& slots) = 0;
  /// A zero-initialised slot shaped like `variable`, named "<variable name>_<suffix>".
  Variable make_slot(const Variable& variable, const std::string& suffix) const;
  /// The same, filled with `initial_value` (Adagrad's accumulators).
  Variable make_slot(const Variable& variable, const std::string& suffix, double initial_value) const;
  /// Adds an optimizer-wide variable to variables() (Keras tracks any Variable set on an optimizer).
  void track_variable(const Variable& variable);
  /// The iteration about to run, counting from 1 (Keras's `iterations + 1` inside update_step).
  int64_t local_step() const;
  const OptimizerOptions& options() const;

 private:
  struct State;
  void update(Tensors grads, const std::vector<Variable>& variables);
  int64_t raw_iterations() const;
  bool uses_weight_decay(const Variable& variable) const;
  std::shared_ptr<State> state_;
};

/// keras.optimizers.serialize: {"module": "keras.optimizers", "class_name", "config", "registered_name"}.
Config serialize(const Optimizer& optimizer);
/// keras.optimizers.deserialize: an optimizer from its object dict (or a Keras 2 {"class_name",
/// "config"} dict); the class name is matched case-insensitively, as Keras does.
std::shared_ptr<Optimizer> deserialize(const Config& config);

}  // namespace keras::optimizers

namespace keras {

/// What compile's `optimizer` takes: a Keras name ("adam", "sgd", "rmsprop", ...; Keras's defaults)
/// or an optimizer object, which the model then shares.
class OptimizerArg {
 public:
  OptimizerArg(const char* name);         // NOLINT
  OptimizerArg(const std::string& name);  // NOLINT
  template <class T>
    requires std::is_base_of_v<optimizers::Optimizer, T>
  OptimizerArg(const T& optimizer) : optimizer_(std::make_shared<T>(optimizer)) {}  // NOLINT
  /// An optimizer held by pointer (e.g. from optimizers::deserialize): the same object, shared.
  OptimizerArg(std::shared_ptr<optimizers::Optimizer> optimizer) : optimizer_(std::move(optimizer)) {}  // NOLINT
  const std::shared_ptr<optimizers::Optimizer>& get() const { return optimizer_; }

 private:
  std::shared_ptr<optimizers::Optimizer> optimizer_;
};

/// keras.optimizers.get: a fresh optimizer with Keras's defaults for a name (case-insensitive:
/// "adam", "Adam", "sgd", "SGD", ...).
std::shared_ptr<optimizers::Optimizer> get_optimizer(const std::string& name);

}  // namespace keras
