#include <keras/layers/merging/concatenate.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

Concatenate::Concatenate(ConcatenateOptions options)
    : Merge("Concatenate", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      options_(std::move(options)) {}

std::vector<Shape> Concatenate::compute_output_shape(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() < 2) {
    throw ValueError("A `Concatenate` layer should be called on a list of at least 2 inputs. Received: input_shape=" +
                     shapes_str(input_shapes));
  }
  const std::string mismatch =
      "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
      "Received: input_shape=" + shapes_str(input_shapes);
  const int64_t rank = input_shapes[0].rank();
  for (const Shape& s : input_shapes) {
    if (s.rank() != rank) throw ValueError(mismatch);
  }
  const auto axis = static_cast<size_t>(normalize_axis(options_.axis, rank, "Concatenate"));
  std::vector<int64_t> out = input_shapes[0].dims();
  for (size_t i = 1; i < input_shapes.size(); ++i) {
    const std::vector<int64_t>& dims = input_shapes[i].dims();
    for (size_t d = 0; d < out.size(); ++d) {
      if (d == axis) {
        out[d] = out[d] == None || dims[d] == None ? None : out[d] + dims[d];
      } else if (out[d] == None) {
        out[d] = dims[d];  // a size known from a later input
      } else if (dims[d] != None && dims[d] != out[d]) {
        throw ValueError(mismatch);
      }
    }
  }
  return {Shape(out)};
}

Tensors Concatenate::call(const Tensors& inputs, bool /*training*/) {
  compute_output_shape(shapes_of(inputs));
  return {merge_function(inputs)};
}

Tensor Concatenate::merge_function(const Tensors& inputs) { return ops::concatenate(inputs, options_.axis); }

Config Concatenate::get_config() const {
  Config c = Layer::get_config();
  c["axis"] = options_.axis;
  return c;
}

std::shared_ptr<Layer> Concatenate::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  ConcatenateOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("axis")) {
    if (!config["axis"].is_number_integer()) {
      throw ValueError("Concatenate config: 'axis' must be an integer, got " + config["axis"].dump());
    }
    o.axis = config["axis"].get<int64_t>();
  }
  return std::make_shared<Concatenate>(o);
}

KERAS_REGISTER_LAYER(Concatenate);

}  // namespace keras::layers
