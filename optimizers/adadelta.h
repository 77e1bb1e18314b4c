#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct AdadeltaOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.95;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "adadelta"
};

/// keras.optimizers.Adadelta: E[g²] = rho·E[g²] + (1 - rho)·g²,
/// Δ = -sqrt(E[Δ²] + eps)/sqrt(E[g²] + eps)·g, E[Δ²] = rho·E[Δ²] + (1 - rho)·Δ², w += lr·Δ.
class Adadelta final : public Optimizer {
 public:
  explicit Adadelta(AdadeltaOptions options = {});
  std::string class_name() const override { return "Adadelta"; }
  Config get_config() const override;
  static Adadelta from_config(const Config& config);

 protected:
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double rho_;
  double epsilon_;
};

}  // namespace keras::optimizers
