#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct NadamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "nadam"
};

/// keras.optimizers.Nadam: Adam with Nesterov momentum in Keras's momentum-cache form
/// (u_t = beta_1·(1 - 0.5·0.96^t), a running product of the u_t, m̂ mixing m and g).
class Nadam final : public Optimizer {
 public:
  explicit Nadam(NadamOptions options = {});
  std::string class_name() const override { return "Nadam"; }
  Config get_config() const override;
  static Nadam from_config(const Config& config);

 protected:
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  void build_extra(const std::vector<Variable>& variables) override;
  void before_update_steps() override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double beta_1_;
  double beta_2_;
  double epsilon_;
  Variable u_product_;  // declared here, given its value in build, so copies share it
};

}  // namespace keras::optimizers
