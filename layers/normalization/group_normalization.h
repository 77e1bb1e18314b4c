#pragma once
#include <keras/layers/layer.h>

namespace keras::layers {

struct GroupNormalizationOptions {
  int64_t groups = 32;  // -1: one group per channel
  int64_t axis = -1;  // the channels axis
  double epsilon = 1e-3;
  bool center = true;  // add beta
  bool scale = true;   // multiply by gamma
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  Regularizer beta_regularizer = {};
  Regularizer gamma_regularizer = {};
  Constraint beta_constraint = {};
  Constraint gamma_constraint = {};
  std::string name = {};  // empty: "group_normalization", "group_normalization_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.GroupNormalization: the channels of `axis` split into `groups` consecutive groups;
/// each sample's group is normalized by its own mean and variance (over the group's channels and
/// every other non-batch axis), then * gamma + beta per channel. groups = -1 means one group per
/// channel (instance normalization); groups = 1 normalizes all channels together.
class GroupNormalization final : public Layer {
 public:
  explicit GroupNormalization(GroupNormalizationOptions options = {});
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GroupNormalization>(*this); }

  /// The number of groups (-1 until built with groups = -1).
  int64_t groups() const { return *groups_; }
  const Variable& gamma() const { return gamma_; }
  const Variable& beta() const { return beta_; }

 private:
  GroupNormalizationOptions options_;
  std::shared_ptr<int64_t> groups_;  // shared: build resolves -1 to the channel count, as Keras
  Variable gamma_ = declare_weight("gamma");
  Variable beta_ = declare_weight("beta");
};

}  // namespace keras::layers
