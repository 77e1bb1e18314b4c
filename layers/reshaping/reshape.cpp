#include <keras/layers/reshaping/reshape.h>

#include <keras/core/ops.h>
#include <keras/core/repr.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace keras::layers {

namespace {

// Keras's operation_utils.compute_reshape_output_shape for the non-batch axes: resolves the -1,
// or leaves it None when the input has a None axis.
std::vector<int64_t> resolve_target(const Shape& input_shape, const std::vector<int64_t>& target) {
  if (!input_shape.is_fully_defined()) return target;  // -1 stays -1, which is None in a Shape
  const int64_t input_size = input_shape.size();
  const auto unknown = std::find(target.begin(), target.end(), -1);
  int64_t known = 1;
  for (int64_t d : target) {
    if (d != -1) known *= d;
  }
  if (unknown == target.end()) {
    if (input_size != known) {
      throw ValueError("The total size of the tensor must be unchanged. Received: input_shape=" + input_shape.str() +
                       ", target_shape=" + tuple_str(target));
    }
    return target;
  }
  if (known == 0 || input_size % known != 0) {
    throw ValueError("The total size of the tensor must be unchanged, however, the input size cannot by divided by the "
                     "specified dimensions in target_shape. Received: input_shape=" + input_shape.str() +
                     ", target_shape=" + tuple_str(target));
  }
  std::vector<int64_t> out = target;
  out[static_cast<size_t>(unknown - target.begin())] = input_size / known;
  return out;
}

Shape non_batch(const Shape& shape) {
  return Shape(std::vector<int64_t>(shape.dims().begin() + (shape.rank() > 0 ? 1 : 0), shape.dims().end()));
}
}  // namespace

Reshape::Reshape(std::vector<int64_t> target_shape, LayerOptions options)
    : Layer("Reshape", options), target_shape_(std::move(target_shape)) {
  if (std::count(target_shape_.begin(), target_shape_.end(), -1) > 1) {
    throw ValueError("The `target_shape` argument must not contain more than one `-1` value. Received: target_shape=" +
                     tuple_str(target_shape_));
  }
  for (int64_t d : target_shape_) {
    if (d < -1) {
      throw ValueError("The `target_shape` argument must hold non-negative sizes and at most one `-1`. Received: "
                       "target_shape=" + tuple_str(target_shape_));
    }
  }
  set_built(true);
}

Tensor Reshape::call(const Tensor& inputs, bool /*training*/) {
  std::vector<int64_t> dims{inputs.shape()[0]};
  const std::vector<int64_t> rest = resolve_target(non_batch(inputs.shape()), target_shape_);
  dims.insert(dims.end(), rest.begin(), rest.end());
  return ops::reshape(inputs, Shape(dims));
}

Shape Reshape::compute_output_shape(const Shape& input_shape) {
  if (input_shape.rank() == 0) {
    throw ValueError("Reshape \"" + name() + "\" needs inputs with a batch axis, but received shape ()");
  }
  std::vector<int64_t> dims{input_shape[0]};
  const std::vector<int64_t> rest = resolve_target(non_batch(input_shape), target_shape_);
  dims.insert(dims.end(), rest.begin(), rest.end());
  return Shape(dims);
}

Config Reshape::get_config() const {
  Config c = Layer::get_config();
  c["target_shape"] = target_shape_;
  return c;
}

std::shared_ptr<Layer> Reshape::from_config(const Config& config) {
  if (!config.contains("target_shape") || !config["target_shape"].is_array()) {
    throw ValueError("Reshape config needs a list 'target_shape', got " + config.dump().substr(0, 200));
  }
  std::vector<int64_t> target;
  for (const Config& d : config["target_shape"]) {
    if (!d.is_number_integer()) {
      throw ValueError("Reshape config: 'target_shape' must hold integers, got " + config["target_shape"].dump());
    }
    target.push_back(d.get<int64_t>());
  }
  return std::make_shared<Reshape>(target, base_options(config));
}

KERAS_REGISTER_LAYER(Reshape);

}  // namespace keras::layers
