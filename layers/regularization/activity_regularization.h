#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

struct ActivityRegularizationOptions {
  double l1 = 0.0;
  double l2 = 0.0;
  std::string name = {};  // empty: "activity_regularization", "activity_regularization_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.ActivityRegularization: passes its input through and adds
/// l1 * sum(|x|) + l2 * sum(x^2) to the layer's losses on each call.
class ActivityRegularization final : public Layer {
 public:
  explicit ActivityRegularization(ActivityRegularizationOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<ActivityRegularization>(*this); }

 private:
  ActivityRegularizationOptions options_;
  Regularizer regularizer_;
};

}  // namespace keras::layers
