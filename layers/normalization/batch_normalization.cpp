#include <keras/layers/normalization/batch_normalization.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : Layer("BatchNormalization", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      options_(std::move(options)) {
  if (options_.synchronized) {
    throw NotImplementedError("BatchNormalization: synchronized=True (batch statistics gathered across devices) is "
                              "not supported: keras-cpp trains on one device");
  }
}

void BatchNormalization::build(const Shape& input_shape) {
  const int64_t axis = normalize_axis(options_.axis, input_shape.rank(), "BatchNormalization axis");
  const int64_t channels = input_shape[axis];
  if (channels == None) {
    throw ValueError("BatchNormalization \"" + name() + "\": axis " + std::to_string(options_.axis) +
                     " of the input must be defined, but received input with shape " + input_shape.str());
  }
  const Shape shape{channels};
  if (options_.scale) {
    add_weight(gamma_, {.shape = shape, .initializer = options_.gamma_initializer,
                        .autocast = false,
                        .regularizer = options_.gamma_regularizer, .constraint = options_.gamma_constraint});
  }
  if (options_.center) {
    add_weight(beta_, {.shape = shape, .initializer = options_.beta_initializer,
                       .autocast = false,
                       .regularizer = options_.beta_regularizer, .constraint = options_.beta_constraint});
  }
  add_weight(moving_mean_, {.shape = shape, .initializer = options_.moving_mean_initializer, .trainable = false,
                            .autocast = false});
  add_weight(moving_variance_, {.shape = shape, .initializer = options_.moving_variance_initializer,
                                .trainable = false, .autocast = false});
  set_input_spec({.ndim = input_shape.rank(), .axes = {{options_.axis, channels}}});
}

Tensor BatchNormalization::call(const Tensor& inputs, bool training) {
  // float16/bfloat16 statistics overflow: Keras runs the layer in float32 and casts back.
  const DType input_dtype = inputs.dtype();
  const bool half = input_dtype == DType::float16 || input_dtype == DType::bfloat16;
  const Tensor x = half ? ops::cast(inputs, DType::float32) : inputs;
  const DType dtype = x.dtype();
  const Tensor gamma = options_.scale ? ops::cast(gamma_, dtype) : Tensor();
  const Tensor beta = options_.center ? ops::cast(beta_, dtype) : Tensor();
  Tensor outputs;
  // A frozen layer runs in inference mode, as Keras 3 does (so fine-tuning keeps its statistics).
  if (training && trainable()) {
    const auto fused = ops::fused_batch_normalization(x, options_.axis, beta, gamma, options_.epsilon);
    // The batch statistics carry no gradient, so the tape records none of this update.
    const double m = options_.momentum;
    const Tensor moving_mean = ops::cast(moving_mean_, dtype);
    const Tensor moving_variance = ops::cast(moving_variance_, dtype);
    moving_mean_.assign(moving_mean * m + fused.mean * (1.0 - m));
    moving_variance_.assign(moving_variance * m + fused.variance * (1.0 - m));
    outputs = fused.outputs;
  } else {
    outputs = ops::batch_normalization(x, ops::cast(moving_mean_, dtype), ops::cast(moving_variance_, dtype),
                                       options_.axis, beta, gamma, options_.epsilon);
  }
  return half ? ops::cast(outputs, input_dtype) : outputs;
}

Shape BatchNormalization::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config BatchNormalization::get_config() const {
  Config c = Layer::get_config();
  c["axis"] = options_.axis;
  c["momentum"] = options_.momentum;
  c["epsilon"] = options_.epsilon;
  c["center"] = options_.center;
  c["scale"] = options_.scale;
  c["beta_initializer"] = options_.beta_initializer.to_config();
  c["gamma_initializer"] = options_.gamma_initializer.to_config();
  c["moving_mean_initializer"] = options_.moving_mean_initializer.to_config();
  c["moving_variance_initializer"] = options_.moving_variance_initializer.to_config();
  c["beta_regularizer"] = options_.beta_regularizer.to_config();
  c["gamma_regularizer"] = options_.gamma_regularizer.to_config();
  c["beta_constraint"] = options_.beta_constraint.to_config();
  c["gamma_constraint"] = options_.gamma_constraint.to_config();
  c["synchronized"] = options_.synchronized;
  return c;
}

std::shared_ptr<Layer> BatchNormalization::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  BatchNormalizationOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("axis")) {
    const Config& axis = config["axis"];
    // tf.keras 2 wrote the axis as a one-element list.
    if (axis.is_number_integer()) {
      o.axis = axis.get<int64_t>();
    } else if (axis.is_array() && axis.size() == 1 && axis[0].is_number_integer()) {
      o.axis = axis[0].get<int64_t>();
    } else {
      throw ValueError("BatchNormalization config: `axis` must be an integer, got " + axis.dump());
    }
  }
  auto number = [&](const char* key, double& out) {
    if (!config.contains(key)) return;
    if (!config[key].is_number()) throw ValueError(std::string("BatchNormalization config: `") + key + "` must be a number");
    out = config[key].get<double>();
  };
  auto flag = [&](const char* key, bool& out) {
    if (config.contains(key) && !config[key].is_null()) out = config[key].get<bool>();
  };
  number("momentum", o.momentum);
  number("epsilon", o.epsilon);
  flag("center", o.center);
  flag("scale", o.scale);
  flag("synchronized", o.synchronized);
  if (config.contains("beta_initializer")) o.beta_initializer = Initializer::from_config(config["beta_initializer"]);
  if (config.contains("gamma_initializer")) o.gamma_initializer = Initializer::from_config(config["gamma_initializer"]);
  if (config.contains("moving_mean_initializer")) {
    o.moving_mean_initializer = Initializer::from_config(config["moving_mean_initializer"]);
  }
  if (config.contains("moving_variance_initializer")) {
    o.moving_variance_initializer = Initializer::from_config(config["moving_variance_initializer"]);
  }
  if (config.contains("beta_regularizer")) o.beta_regularizer = Regularizer::from_config(config["beta_regularizer"]);
  if (config.contains("gamma_regularizer")) o.gamma_regularizer = Regularizer::from_config(config["gamma_regularizer"]);
  if (config.contains("beta_constraint")) o.beta_constraint = Constraint::from_config(config["beta_constraint"]);
  if (config.contains("gamma_constraint")) o.gamma_constraint = Constraint::from_config(config["gamma_constraint"]);
  // Options of tf.keras 2 and later Keras releases that change the computation: refuse rather than ignore.
  if (config.contains("renorm") && config["renorm"].is_boolean() && config["renorm"].get<bool>()) {
    throw NotImplementedError("BatchNormalization: renorm=True (batch renormalization) is not supported");
  }
  if (config.contains("virtual_batch_size") && !config["virtual_batch_size"].is_null()) {
    throw NotImplementedError("BatchNormalization: virtual_batch_size is not supported");
  }
  if (config.contains("adjustment") && !config["adjustment"].is_null()) {
    throw NotImplementedError("BatchNormalization: adjustment is not supported");
  }
  return std::make_shared<BatchNormalization>(o);
}

KERAS_REGISTER_LAYER(BatchNormalization);

}  // namespace keras::layers
