#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct AdamaxOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "adamax"
};

/// keras.optimizers.Adamax: m += (g - m)(1 - beta_1), u = max(beta_2·u, |g|),
/// w -= lr·m / ((1 - beta_1^t)(u + epsilon)).
class Adamax final : public Optimizer {
 public:
  explicit Adamax(AdamaxOptions options = {});
  std::string class_name() const override { return "Adamax"; }
  Config get_config() const override;
  static Adamax from_config(const Config& config);

 protected:
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double beta_1_;
  double beta_2_;
  double epsilon_;
};

}  // namespace keras::optimizers
