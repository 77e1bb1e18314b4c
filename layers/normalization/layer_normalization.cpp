#include <keras/layers/normalization/layer_normalization.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

LayerNormalization::LayerNormalization(LayerNormalizationOptions options)
    : Layer("LayerNormalization", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      options_(std::move(options)) {
  if (options_.axis.is_none() || options_.axis.axes().empty()) {
    throw ValueError("Expected an int or a list/tuple of ints for the argument 'axis', but received: None");
  }
}

void LayerNormalization::build(const Shape& input_shape) {
  std::vector<int64_t> dims;
  for (int64_t a : options_.axis.axes()) {
    if (a >= input_shape.rank() || a < -input_shape.rank()) {
      throw ValueError("Axis " + std::to_string(a) + " is out of bounds for input shape " + input_shape.str() +
                       ". Ensure axis is within the range of input dimensions.");
    }
    if (input_shape[a] == None) {
      throw ValueError("LayerNormalization \"" + name() + "\": axis " + std::to_string(a) +
                       " of the input must be defined, but received input with shape " + input_shape.str());
    }
    dims.push_back(input_shape[a]);
  }
  const Shape shape(dims);  // in the order the axes were given, as Keras
  if (options_.scale || options_.rms_scaling) {
    add_weight(gamma_, {.shape = shape, .initializer = options_.gamma_initializer,
                        .autocast = false,
                        .regularizer = options_.gamma_regularizer, .constraint = options_.gamma_constraint});
  }
  if (options_.center && !options_.rms_scaling) {
    add_weight(beta_, {.shape = shape, .initializer = options_.beta_initializer,
                       .autocast = false,
                       .regularizer = options_.beta_regularizer, .constraint = options_.beta_constraint});
  }
}

Tensor LayerNormalization::call(const Tensor& inputs, bool /*training*/) {
  const Tensor x = ops::cast(inputs, compute_dtype());
  const Tensor gamma = gamma_.has_value() ? gamma_.value() : Tensor();
  const Tensor beta = beta_.has_value() ? beta_.value() : Tensor();
  const Tensor outputs = ops::layer_normalization(x, gamma, beta, ops::Axes(options_.axis.axes()), options_.epsilon,
                                                  options_.rms_scaling);
  return ops::cast(outputs, compute_dtype());
}

Shape LayerNormalization::compute_output_shape(const Shape& input_shape) {
  for (int64_t a : options_.axis.axes()) {
    if (a >= input_shape.rank() || a < -input_shape.rank()) {
      throw ValueError("Axis " + std::to_string(a) + " is out of bounds for input shape " + input_shape.str() +
                       ". Ensure axis is within the range of input dimensions.");
    }
  }
  return input_shape;
}

Config LayerNormalization::get_config() const {
  Config c = Layer::get_config();
  // Keras turns an int axis into a one-element list when it builds, and writes that list back.
  const auto& axes = options_.axis.axes();
  c["axis"] = options_.axis.is_single() && !built() ? Config(axes[0]) : Config(axes);
  c["epsilon"] = options_.epsilon;
  c["center"] = options_.center;
  c["scale"] = options_.scale;
  c["rms_scaling"] = options_.rms_scaling;
  c["beta_initializer"] = options_.beta_initializer.to_config();
  c["gamma_initializer"] = options_.gamma_initializer.to_config();
  c["beta_regularizer"] = options_.beta_regularizer.to_config();
  c["gamma_regularizer"] = options_.gamma_regularizer.to_config();
  c["beta_constraint"] = options_.beta_constraint.to_config();
  c["gamma_constraint"] = options_.gamma_constraint.to_config();
  return c;
}

std::shared_ptr<Layer> LayerNormalization::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  LayerNormalizationOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("axis")) {
    const Config& axis = config["axis"];
    if (axis.is_number_integer()) {
      o.axis = axis.get<int64_t>();
    } else if (axis.is_array() && std::all_of(axis.begin(), axis.end(), [](const Config& a) { return a.is_number_integer(); })) {
      o.axis = AxisArgument(axis.get<std::vector<int64_t>>());
    } else {
      throw ValueError("Expected an int or a list/tuple of ints for the argument 'axis', but received: " + axis.dump());
    }
  }
  if (config.contains("epsilon")) {
    if (!config["epsilon"].is_number()) throw ValueError("LayerNormalization config: `epsilon` must be a number");
    o.epsilon = config["epsilon"].get<double>();
  }
  auto flag = [&](const char* key, bool& out) {
    if (config.contains(key) && !config[key].is_null()) out = config[key].get<bool>();
  };
  flag("center", o.center);
  flag("scale", o.scale);
  flag("rms_scaling", o.rms_scaling);
  if (config.contains("beta_initializer")) o.beta_initializer = Initializer::from_config(config["beta_initializer"]);
  if (config.contains("gamma_initializer")) o.gamma_initializer = Initializer::from_config(config["gamma_initializer"]);
  if (config.contains("beta_regularizer")) o.beta_regularizer = Regularizer::from_config(config["beta_regularizer"]);
  if (config.contains("gamma_regularizer")) o.gamma_regularizer = Regularizer::from_config(config["gamma_regularizer"]);
  if (config.contains("beta_constraint")) o.beta_constraint = Constraint::from_config(config["beta_constraint"]);
  if (config.contains("gamma_constraint")) o.gamma_constraint = Constraint::from_config(config["gamma_constraint"]);
  return std::make_shared<LayerNormalization>(o);
}

KERAS_REGISTER_LAYER(LayerNormalization);

}  // namespace keras::layers
