#pragma once
#include <keras/core/tensor.h>
#include <keras/core/variable.h>
#include <keras/layers/config.h>
#include <keras/optimizers/schedules.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keras::optimizers {

/// The keyword arguments every Keras optimizer takes (after its own), in Keras's order.
struct OptimizerOptions {
  std::optional<double> weight_decay = {};
  std::optional<double> clipnorm = {};
  std::optional<double> clipvalue = {};
  std::optional<double> global_clipnorm = {};
  bool use_ema = false;
  double ema_momentum = 0.99;
  std::optional<int64_t> ema_overwrite_frequency = {};
  std::optional<double> loss_scale_factor = {};
  std::optional<int64_t> gradient_accumulation_steps = {};
  std::string name = {};  // empty: the snake_case class name ("adam")
};

/// keras.optimizers.Optimizer. Its state (iterations, learning rate, slot variables, EMA copies)
/// lives in Variables held in shared state, so copies of an optimizer are the same optimizer.
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  /// One step: clips, applies weight decay, updates each variable with its gradient (undefined
  /// gradients are skipped, as None in Keras), applies constraints, increments iterations.
  /// Builds the slot variables for `variables` on first use.
  void apply_gradients(const Tensors& grads, const std::vector<Variable>& variables);
  /// Creates the slot variables (moments, ...) for `variables`; apply_gradients calls it.
  void build(const std::vector<Variable>& variables);
  bool built() const;

  int64_t iterations() const;
  /// The learning rate at the current iteration (a schedule is evaluated).
  double learning_rate() const;
  /// Replaces the learning rate by a constant (as Keras's `optimizer.learning_rate = 0.1`).
  void set_learning_rate(double value);
  /// Every state variable in Keras's saving order: iterations, learning_rate, then each optimizer's
  /// slots per trainable variable interleaved (Adam: m0, v0, m1, v1, ...).
  std::vector<Variable> variables() const;
  /// With use_ema: overwrites the model variables with their moving averages (Keras's
  /// finalize_variable_values, called at the end of fit).
  void finalize_variable_values(const std::vector<Variable>& variables);

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
  /// Updates one variable given its gradient, the step's learning rate and its slots.
  virtual void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                           std::vector<Variable>& slots) = 0;
  /// A zero-initialised slot shaped like `variable`, named "<variable name>_<suffix>".
  Variable make_slot(const Variable& variable, const std::string& suffix) const;
  /// The iteration about to run, counting from 1 (Keras's `iterations + 1` inside update_step).
  int64_t local_step() const;
  const OptimizerOptions& options() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

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
  const std::shared_ptr<optimizers::Optimizer>& get() const { return optimizer_; }

 private:
  std::shared_ptr<optimizers::Optimizer> optimizer_;
};

/// keras.optimizers.get: a fresh optimizer with Keras's defaults for a name.
std::shared_ptr<optimizers::Optimizer> get_optimizer(const std::string& name);

}  // namespace keras
