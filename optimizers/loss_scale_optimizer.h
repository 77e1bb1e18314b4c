#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct LossScaleOptimizerOptions {
  double initial_scale = 32768.0;  // 2**15
  int64_t dynamic_growth_steps = 2000;
  std::string name = {};  // empty: "loss_scale_optimizer"
};

/// keras.optimizers.LossScaleOptimizer: dynamic loss scaling around another optimizer, for float16
/// training. The trainer multiplies the loss by the scale (scale_loss); apply_gradients divides the
/// gradients by it and lets the inner optimizer apply them. A step with a non-finite gradient is
/// skipped and halves the scale; after `dynamic_growth_steps` finite steps in a row it doubles.
/// compile() wraps the optimizer in one when the model's policy is mixed_float16.
class LossScaleOptimizer final : public Optimizer {
 public:
  explicit LossScaleOptimizer(OptimizerArg inner_optimizer, LossScaleOptimizerOptions options = {});
  std::string class_name() const override { return "LossScaleOptimizer"; }

  void apply_gradients(const Tensors& grads, const std::vector<Variable>& variables) override;
  /// The inner optimizer's iterations (skipped steps do not count), as Keras.
  int64_t iterations() const override;
  double learning_rate() const override;
  void set_learning_rate(double value) override;
  /// Own variables (iteration, learning_rate, step_counter, dynamic_scale), then the inner optimizer's.
  std::vector<Variable> variables() const override;
  void finalize_variable_values(const std::vector<Variable>& variables) override;
  /// loss * dynamic_scale (initial_scale before the optimizer is built).
  Tensor scale_loss(const Tensor& loss) const override;
  /// {"name", "inner_optimizer": serialized, "initial_scale", "dynamic_growth_steps"}, as Keras.
  Config get_config() const override;
  static LossScaleOptimizer from_config(const Config& config);

  Optimizer& inner_optimizer() const { return *inner_; }
  double initial_scale() const { return initial_scale_; }
  int64_t dynamic_growth_steps() const { return dynamic_growth_steps_; }
  /// The current loss scale (initial_scale before the optimizer is built).
  double dynamic_scale() const;
  /// Finite steps since the scale last changed.
  int64_t step_counter() const;

 protected:
  void build_slots(const Variable& /*variable*/, std::vector<Variable>& /*slots*/) override {}
  void build_extra(const std::vector<Variable>& variables) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  std::shared_ptr<Optimizer> inner_;
  double initial_scale_;
  int64_t dynamic_growth_steps_;
  Variable step_counter_;   // declared here, given a value in build, so copies share it
  Variable dynamic_scale_;
};

}  // namespace keras::optimizers
