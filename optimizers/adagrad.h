#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct AdagradOptions {
  LearningRate learning_rate = 0.001;
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "adagrad"
};

/// keras.optimizers.Adagrad: a += g², w -= lr·g / sqrt(a + epsilon), a starting at
/// initial_accumulator_value.
class Adagrad final : public Optimizer {
 public:
  explicit Adagrad(AdagradOptions options = {});
  std::string class_name() const override { return "Adagrad"; }
  Config get_config() const override;
  static Adagrad from_config(const Config& config);

 protected:
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double initial_accumulator_value_;
  double epsilon_;
};

}  // namespace keras::optimizers
