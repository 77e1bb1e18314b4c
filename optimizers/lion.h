#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct LionOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.99;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "lion"
};

/// keras.optimizers.Lion: w -= lr·sign(beta_1·m + (1 - beta_1)·g), then m = beta_2·m + (1 - beta_2)·g.
class Lion final : public Optimizer {
 public:
  explicit Lion(LionOptions options = {});
  std::string class_name() const override { return "Lion"; }
  Config get_config() const override;
  static Lion from_config(const Config& config);

 protected:
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double beta_1_;
  double beta_2_;
};

}  // namespace keras::optimizers
