#pragma once
// The config keys Conv and ConvTranspose layers share, from "activation" to "bias_constraint", in
// Keras's order (internal to layers/convolutional/).
#include <keras/layers/activations.h>
#include <keras/layers/config.h>
#include <keras/layers/constraints.h>
#include <keras/layers/initializers.h>
#include <keras/layers/regularizers.h>

#include <nlohmann/json.hpp>

namespace keras::layers::conv_detail {

template <class Options>
void write_activation_and_weight_keys(Config& c, const Options& o) {
  c["activation"] = o.activation.to_config();
  c["use_bias"] = o.use_bias;
  c["kernel_initializer"] = o.kernel_initializer.to_config();
  c["bias_initializer"] = o.bias_initializer.to_config();
  c["kernel_regularizer"] = o.kernel_regularizer.to_config();
  c["bias_regularizer"] = o.bias_regularizer.to_config();
  c["activity_regularizer"] = o.activity_regularizer.to_config();
  c["kernel_constraint"] = o.kernel_constraint.to_config();
  c["bias_constraint"] = o.bias_constraint.to_config();
}

template <class Options>
void read_activation_and_weight_keys(const Config& config, Options& o) {
  if (config.contains("activation")) o.activation = keras::Activation::from_config(config["activation"]);
  if (config.contains("use_bias")) o.use_bias = config["use_bias"].get<bool>();
  if (config.contains("kernel_initializer")) o.kernel_initializer = Initializer::from_config(config["kernel_initializer"]);
  if (config.contains("bias_initializer")) o.bias_initializer = Initializer::from_config(config["bias_initializer"]);
  if (config.contains("kernel_regularizer")) o.kernel_regularizer = Regularizer::from_config(config["kernel_regularizer"]);
  if (config.contains("bias_regularizer")) o.bias_regularizer = Regularizer::from_config(config["bias_regularizer"]);
  if (config.contains("activity_regularizer")) o.activity_regularizer = Regularizer::from_config(config["activity_regularizer"]);
  if (config.contains("kernel_constraint")) o.kernel_constraint = Constraint::from_config(config["kernel_constraint"]);
  if (config.contains("bias_constraint")) o.bias_constraint = Constraint::from_config(config["bias_constraint"]);
}

}  // namespace keras::layers::conv_detail
