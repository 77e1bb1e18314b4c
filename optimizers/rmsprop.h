#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct RMSpropOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "rmsprop"
};

/// keras.optimizers.RMSprop: v = rho·v + (1 - rho)·g², w -= lr·g / sqrt(v + epsilon) (epsilon inside
/// the root); centered subtracts the squared running mean of g from v; momentum accumulates the steps.
class RMSprop final : public Optimizer {
 public:
  explicit RMSprop(RMSpropOptions options = {});
  std::string class_name() const override { return "RMSprop"; }
  Config get_config() const override;
  static RMSprop from_config(const Config& config);

 protected:
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  int later_slot_passes() const override { return 2; }
  void build_later_slots(int pass, const Variable& variable, std::vector<Variable>& slots) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double rho_;
  double momentum_;
  double epsilon_;
  bool centered_;
};

}  // namespace keras::optimizers
