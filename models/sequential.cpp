#include <keras/models/sequential.h>

#include <keras/layers/core/input_layer.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras {

Sequential::Sequential(std::vector<AnyLayer> layers, ModelOptions options) : Model("Sequential", std::move(options)) {
  for (const AnyLayer& l : layers) add(l);
}

void Sequential::add(const AnyLayer& layer) {
  if (layer->class_name() == "InputLayer") {
    if (stack_->input || !stack_->layers.empty()) {
      throw ValueError("Sequential \"" + name() + "\": an Input can only be the first layer of a Sequential model");
    }
    stack_->input = layer.get();
    rebuild();
    return;
  }
  for (const auto& l : stack_->layers) {
    if (l->name() == layer->name()) {
      throw ValueError("All layers added to a Sequential model should have unique names. Name \"" + layer->name() +
                       "\" is already the name of a layer in this model. Update the `name` argument to pass a unique name.");
    }
  }
  stack_->layers.push_back(layer.get());
  if (stack_->input) rebuild();
}

void Sequential::pop() {
  if (stack_->layers.empty()) throw ValueError("Sequential \"" + name() + "\": there are no layers to pop");
  stack_->layers.pop_back();
  if (stack_->input) rebuild();
}

std::vector<std::shared_ptr<Layer>> Sequential::layers() const { return stack_->layers; }

void Sequential::rebuild() {
  auto& input = static_cast<layers::InputLayer&>(*stack_->input);
  KerasTensor x = input.output();
  for (const auto& layer : stack_->layers) x = (*layer)(x);
  set_graph({input.output()}, {x});
}

void Sequential::build(const Shape& input_shape) {
  if (stack_->input) return;
  if (input_shape.rank() < 1) throw ValueError("Sequential.build: the input shape needs a batch axis, got " + input_shape.str());
  std::vector<int64_t> dims(input_shape.dims().begin() + 1, input_shape.dims().end());
  // The batch axis stays None, so the built model takes any batch size.
  stack_->input = layers::InputLayer(Shape(dims)).clone();
  rebuild();
}

Tensors Sequential::call(const Tensors& inputs, bool training) {
  if (is_functional()) return Model::call(inputs, training);
  if (inputs.size() != 1) throw ValueError("Sequential \"" + name() + "\" takes exactly one input");
  return {call(inputs[0], training)};
}

Tensor Sequential::call(const Tensor& inputs, bool training) {
  if (is_functional()) return Model::call(inputs, training);
  Tensor x = inputs;
  for (const auto& layer : stack_->layers) x = (*layer)(x, training);
  return x;
}

Shape Sequential::compute_output_shape(const Shape& input_shape) {
  Shape s = input_shape;
  for (const auto& layer : stack_->layers) s = layer->compute_output_shape(s);
  return s;
}

Config Sequential::get_config() const {
  Config c = Layer::get_config();
  Config list = Config::array();
  if (stack_->input) list.push_back(serialize_layer(*stack_->input));
  for (const auto& l : stack_->layers) list.push_back(serialize_layer(*l));
  c["layers"] = list;
  if (stack_->input) {
    c["build_input_shape"] = shape_to_config(static_cast<const layers::InputLayer&>(*stack_->input).batch_shape());
  }
  return c;
}

std::shared_ptr<Layer> Sequential::from_config(const Config& config) {
  LayerOptions base = base_options(config);
  auto model = std::make_shared<Sequential>(std::vector<AnyLayer>{}, ModelOptions{.name = base.name, .trainable = base.trainable, .dtype = base.dtype});
  if (!config.contains("layers") || !config["layers"].is_array()) {
    throw ValueError("Sequential config needs a 'layers' list");
  }
  for (const Config& entry : config["layers"]) model->add(AnyLayer(deserialize_layer(entry)));
  if (!model->stack_->input && config.contains("build_input_shape") && !config["build_input_shape"].is_null()) {
    model->build_from_config({shape_from_config(config["build_input_shape"], "Sequential build_input_shape")});
  }
  return model;
}

KERAS_REGISTER_LAYER(Sequential);

}  // namespace keras
