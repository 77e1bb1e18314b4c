#include <keras/layers/reshaping/permute.h>

#include <keras/core/ops.h>
#include <keras/core/repr.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace keras::layers {

Permute::Permute(std::vector<int64_t> dims, LayerOptions options) : Layer("Permute", options), dims_(std::move(dims)) {
  std::vector<int64_t> sorted = dims_;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] != static_cast<int64_t>(i) + 1) {
      throw ValueError("Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be "
                       "consecutive and start from 1. Received dims=" + tuple_str(dims_));
    }
  }
  set_input_spec({.ndim = static_cast<int64_t>(dims_.size()) + 1});
}

Tensor Permute::call(const Tensor& inputs, bool /*training*/) {
  std::vector<int64_t> axes{0};
  axes.insert(axes.end(), dims_.begin(), dims_.end());
  return ops::transpose(inputs, axes);
}

Shape Permute::compute_output_shape(const Shape& input_shape) {
  if (input_shape.rank() != static_cast<int64_t>(dims_.size()) + 1) {
    throw ValueError("Permute \"" + name() + "\" with dims=" + tuple_str(dims_) + " expects inputs of rank " +
                     std::to_string(dims_.size() + 1) + ", but received shape " + input_shape.str());
  }
  std::vector<int64_t> out{input_shape[0]};
  for (int64_t d : dims_) out.push_back(input_shape[d]);
  return Shape(out);
}

Config Permute::get_config() const {
  Config c = Layer::get_config();
  c["dims"] = dims_;
  return c;
}

std::shared_ptr<Layer> Permute::from_config(const Config& config) {
  if (!config.contains("dims") || !config["dims"].is_array()) {
    throw ValueError("Permute config needs a list 'dims', got " + config.dump().substr(0, 200));
  }
  std::vector<int64_t> dims;
  for (const Config& d : config["dims"]) {
    if (!d.is_number_integer()) throw ValueError("Permute config: 'dims' must hold integers, got " + config["dims"].dump());
    dims.push_back(d.get<int64_t>());
  }
  return std::make_shared<Permute>(dims, base_options(config));
}

KERAS_REGISTER_LAYER(Permute);

}  // namespace keras::layers
