#include <keras/layers/core/dense.h>

#include <keras/core/ops.h>
#include <keras/core/ops/detail.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

Dense::Dense(int64_t units, DenseOptions options)
    : Layer("Dense", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      units_(units),
      options_(std::move(options)) {
  if (units <= 0) {
    throw ValueError("Received an invalid value for `units`, expected a positive integer. Received: units=" +
                     std::to_string(units));
  }
  set_input_spec({.min_ndim = 2});
}

void Dense::build(const Shape& input_shape) {
  const int64_t input_dim = input_shape[-1];
  if (input_dim == None) {
    throw ValueError("Dense \"" + name() + "\": the last axis of the input must be defined, got " + input_shape.str());
  }
  add_weight(kernel_, {.shape = {input_dim, units_}, .initializer = options_.kernel_initializer,
                       .regularizer = options_.kernel_regularizer, .constraint = options_.kernel_constraint});
  if (options_.use_bias) {
    add_weight(bias_, {.shape = {units_}, .initializer = options_.bias_initializer,
                       .regularizer = options_.bias_regularizer, .constraint = options_.bias_constraint});
  }
  set_input_spec({.min_ndim = 2, .axes = {{-1, input_dim}}});
}

namespace {
// bfloat16 (mixed_bfloat16) fuses too: the kernel's bf16 matmul adds the bias and applies relu.
bool fusable_dtype(DType d) { return d == DType::float32 || d == DType::float64 || d == DType::bfloat16; }
}  // namespace

Tensor Dense::call(const Tensor& inputs, bool /*training*/) {
  const Activation& activation = options_.activation;
  const bool relu = activation.is_builtin("relu");
  Tensor y;
  if (inputs.rank() == 2) {
    // matmul and bias (and relu) in one kernel call and one tape record, with the same numbers as
    // the ops below; other activations follow as ops.
    const Tensor kernel = kernel_;
    const Tensor bias = options_.use_bias ? bias_.value() : Tensor();
    if (fusable_dtype(inputs.dtype()) && kernel.dtype() == inputs.dtype() &&
        (!bias.defined() || bias.dtype() == inputs.dtype())) {
      y = ops::detail::dense(inputs, kernel, bias, relu);
      if (!relu) y = activation(y);
    }
  }
  if (!y.defined()) {
    y = ops::matmul(inputs, kernel_);
    if (options_.use_bias) y = y + bias_;
    y = activation(y);
  }
  // Keras divides an activity penalty by the batch size, so it does not grow with the batch.
  if (options_.activity_regularizer) add_loss(options_.activity_regularizer(y) / static_cast<double>(y.shape()[0]));
  return y;
}

Shape Dense::compute_output_shape(const Shape& input_shape) {
  std::vector<int64_t> dims = input_shape.dims();
  dims.back() = units_;
  return Shape(dims);
}

Config Dense::get_config() const {
  Config c = Layer::get_config();
  c["units"] = units_;
  c["activation"] = options_.activation.to_config();
  c["use_bias"] = options_.use_bias;
  c["kernel_initializer"] = options_.kernel_initializer.to_config();
  c["bias_initializer"] = options_.bias_initializer.to_config();
  c["kernel_regularizer"] = options_.kernel_regularizer.to_config();
  c["bias_regularizer"] = options_.bias_regularizer.to_config();
  c["kernel_constraint"] = options_.kernel_constraint.to_config();
  c["bias_constraint"] = options_.bias_constraint.to_config();
  c["quantization_config"] = nullptr;
  if (options_.activity_regularizer) c["activity_regularizer"] = options_.activity_regularizer.to_config();
  return c;
}

std::shared_ptr<Layer> Dense::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  if (!config.contains("units") || !config["units"].is_number_integer()) {
    throw ValueError("Dense config needs an integer 'units', got " + config.dump().substr(0, 200));
  }
  if (config.contains("quantization_config") && !config["quantization_config"].is_null()) {
    throw NotImplementedError("Dense: quantized layers (quantization_config) are not supported");
  }
  DenseOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  if (config.contains("activation")) o.activation = keras::Activation::from_config(config["activation"]);
  if (config.contains("use_bias")) o.use_bias = config["use_bias"].get<bool>();
  if (config.contains("kernel_initializer")) o.kernel_initializer = Initializer::from_config(config["kernel_initializer"]);
  if (config.contains("bias_initializer")) o.bias_initializer = Initializer::from_config(config["bias_initializer"]);
  if (config.contains("kernel_regularizer")) o.kernel_regularizer = Regularizer::from_config(config["kernel_regularizer"]);
  if (config.contains("bias_regularizer")) o.bias_regularizer = Regularizer::from_config(config["bias_regularizer"]);
  if (config.contains("activity_regularizer")) o.activity_regularizer = Regularizer::from_config(config["activity_regularizer"]);
  if (config.contains("kernel_constraint")) o.kernel_constraint = Constraint::from_config(config["kernel_constraint"]);
  if (config.contains("bias_constraint")) o.bias_constraint = Constraint::from_config(config["bias_constraint"]);
  return std::make_shared<Dense>(config["units"].get<int64_t>(), o);
}

KERAS_REGISTER_LAYER(Dense);

}  // namespace keras::layers
