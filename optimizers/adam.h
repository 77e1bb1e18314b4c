#pragma once
#include <keras/optimizers/optimizer.h>

namespace keras::optimizers {

struct AdamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  std::optional<double> weight_decay = {};
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "adam"
};

/// keras.optimizers.Adam: m += (g - m)(1 - beta_1), v += (g² - v)(1 - beta_2),
/// w -= lr·sqrt(1 - beta_2^t)/(1 - beta_1^t) · m / (sqrt(v) + epsilon) (epsilon not bias-corrected);
/// amsgrad divides by the running maximum of v instead.
class Adam : public Optimizer {
 public:
  explicit Adam(AdamOptions options = {});
  std::string class_name() const override { return "Adam"; }
  Config get_config() const override;
  static Adam from_config(const Config& config);

 protected:
  Adam(const std::string& class_name, const AdamOptions& options, const char* default_name);
  void build_slots(const Variable& variable, std::vector<Variable>& slots) override;
  int later_slot_passes() const override { return amsgrad_ ? 1 : 0; }
  void build_later_slots(int pass, const Variable& variable, std::vector<Variable>& slots) override;
  void update_step(const Tensor& gradient, Variable& variable, double learning_rate,
                   std::vector<Variable>& slots) override;

 private:
  double beta_1_;
  double beta_2_;
  double epsilon_;
  bool amsgrad_;
};

struct AdamWOptions {
  LearningRate learning_rate = 0.001;
  double weight_decay = 0.004;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  KERAS_OPTIMIZER_COMMON_OPTIONS;  // name empty: "adamw"
};

/// keras.optimizers.AdamW: Adam with decoupled weight decay (w -= w·weight_decay·lr before each step).
class AdamW final : public Adam {
 public:
  explicit AdamW(AdamWOptions options = {});
  std::string class_name() const override { return "AdamW"; }
  static AdamW from_config(const Config& config);
};

}  // namespace keras::optimizers
