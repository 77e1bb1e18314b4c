#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct SGDOptions {
  LearningRate learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "SGD"
};

/// keras.optimizers.SGD: w -= lr * g; with momentum, v = momentum * v - lr * g and w += v
/// (nesterov: w += momentum * v - lr * g).
class SGD final : public Optimizer {
 public:
  explicit SGD(SGDOptions options = {});
  std::string class_name() const override { return "SGD"; }
  Config get_config() const override;
  static SGD from_config(const Config& config);

 protected:
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double momentum_;
  bool nesterov_;
};

}  // namespace keras::optimizers
