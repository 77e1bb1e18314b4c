#include <keras/layers/reshaping/flatten.h>

#include <keras/core/config.h>
#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace keras::layers {

namespace {
// Keras's backend.standardize_data_format: the unset default is keras::config::image_data_format().
std::string standardize_data_format(std::string data_format) {
  if (data_format.empty()) return config::image_data_format();
  std::transform(data_format.begin(), data_format.end(), data_format.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (data_format != "channels_first" && data_format != "channels_last") {
    throw ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: "
                     "data_format=" + data_format);
  }
  return data_format;
}
}  // namespace

Flatten::Flatten(FlattenOptions options)
    : Layer("Flatten", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      data_format_(standardize_data_format(options.data_format)) {
  set_input_spec({.min_ndim = 1});
}

Tensor Flatten::call(const Tensor& inputs, bool /*training*/) {
  Tensor x = inputs;
  const int64_t rank = x.rank();
  if (data_format_ == "channels_first" && rank > 1) {
    std::vector<int64_t> axes{0};
    for (int64_t d = 2; d < rank; ++d) axes.push_back(d);
    axes.push_back(1);
    x = ops::transpose(x, axes);
  }
  const Shape out = compute_output_shape(inputs.shape());
  return ops::reshape(x, out);
}

Shape Flatten::compute_output_shape(const Shape& input_shape) {
  int64_t flat = 1;
  for (int64_t d = 1; d < input_shape.rank(); ++d) {
    if (input_shape[d] == None) {
      flat = None;
      break;
    }
    flat *= input_shape[d];
  }
  return Shape{input_shape[0], flat};
}

Config Flatten::get_config() const {
  Config c = Layer::get_config();
  c["data_format"] = data_format_;
  return c;
}

std::shared_ptr<Layer> Flatten::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  FlattenOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("data_format") && !config["data_format"].is_null()) {
    if (!config["data_format"].is_string()) {
      throw ValueError("Flatten config: 'data_format' must be a string, got " + config["data_format"].dump());
    }
    o.data_format = config["data_format"].get<std::string>();
  }
  return std::make_shared<Flatten>(o);
}

KERAS_REGISTER_LAYER(Flatten);

}  // namespace keras::layers
