#include <keras/layers/core/input_layer.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

namespace {
Shape with_batch(const Shape& shape, std::optional<int64_t> batch_size) {
  std::vector<int64_t> dims{batch_size.value_or(None)};
  dims.insert(dims.end(), shape.dims().begin(), shape.dims().end());
  return Shape(dims);
}
}  // namespace

InputLayer::InputLayer(const Shape& shape, InputLayerOptions options)
    : Layer("InputLayer", {.name = options.name, .trainable = true,
                           .dtype = is_floating(options.dtype) ? std::string(dtype_name(options.dtype)) : "float32"}),
      batch_shape_(with_batch(shape, options.batch_size)),
      dtype_(options.dtype) {
  if (options.batch_size && *options.batch_size <= 0) {
    throw ValueError("InputLayer: batch_size must be positive, got " + std::to_string(*options.batch_size));
  }
  set_built(true);
}

KerasTensor InputLayer::output() {
  auto nodes = inbound_nodes();
  if (!nodes.empty()) return KerasTensor(batch_shape_, dtype_, nodes[0], 0, name());
  return call_symbolic({}, false).at(0);
}

Tensor InputLayer::call(const Tensor& inputs, bool /*training*/) { return inputs; }

Shape InputLayer::compute_output_shape(const Shape& input_shape) { return input_shape; }

std::vector<Shape> InputLayer::compute_output_shape(const std::vector<Shape>& input_shapes) {
  if (input_shapes.empty()) return {batch_shape_};  // the symbolic call that creates the input node
  return input_shapes;
}

Config InputLayer::get_config() const {
  Config c;
  Config shape = Config::array();
  for (int64_t d : batch_shape_) shape.push_back(d == None ? Config(nullptr) : Config(d));
  c["batch_shape"] = shape;
  c["dtype"] = std::string(dtype_name(dtype_));
  c["sparse"] = false;
  c["ragged"] = false;
  c["name"] = name();
  c["optional"] = false;
  return c;
}

std::shared_ptr<Layer> InputLayer::from_config(const Config& config) {
  Shape batch_shape;
  if (config.contains("batch_shape")) {
    batch_shape = shape_from_config(config["batch_shape"], "InputLayer batch_shape");
  } else if (config.contains("batch_input_shape")) {  // Keras 2
    batch_shape = shape_from_config(config["batch_input_shape"], "InputLayer batch_input_shape");
  } else {
    throw ValueError("InputLayer config needs 'batch_shape' (Keras 3) or 'batch_input_shape' (Keras 2): " + config.dump());
  }
  if (batch_shape.rank() < 1) throw ValueError("InputLayer batch_shape must have a batch axis, got " + batch_shape.str());
  InputLayerOptions o;
  if (batch_shape[0] != None) o.batch_size = batch_shape[0];
  if (config.contains("dtype") && !config["dtype"].is_null()) {
    const Config& d = config["dtype"];
    o.dtype = dtype_from_name(d.is_string() ? d.get<std::string>() : d.at("config").at("name").get<std::string>());
  }
  if (config.contains("name") && config["name"].is_string()) o.name = config["name"].get<std::string>();
  std::vector<int64_t> dims(batch_shape.dims().begin() + 1, batch_shape.dims().end());
  return std::make_shared<InputLayer>(Shape(dims), o);
}

KERAS_REGISTER_LAYER(InputLayer);

}  // namespace keras::layers

namespace keras {

KerasTensor Input(const Shape& shape, InputOptions options) {
  layers::InputLayer layer(shape, {.batch_size = options.batch_size, .dtype = options.dtype, .name = options.name});
  return layer.output();
}

}  // namespace keras
