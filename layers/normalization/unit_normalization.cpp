#include <keras/layers/normalization/unit_normalization.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

UnitNormalization::UnitNormalization(UnitNormalizationOptions options)
    : Layer("UnitNormalization", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      options_(std::move(options)) {
  if (options_.axis.is_none()) {
    throw ValueError("Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: axis=None");
  }
}

Tensor UnitNormalization::call(const Tensor& inputs, bool /*training*/) {
  const Tensor x = ops::cast(inputs, compute_dtype());
  const Tensor square_sum = ops::sum(ops::square(x), ops::Axes(options_.axis.axes()), /*keepdims=*/true);
  return ops::multiply(x, ops::rsqrt(ops::maximum(square_sum, scalar_like(1e-12, square_sum))));
}

Shape UnitNormalization::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config UnitNormalization::get_config() const {
  Config c = Layer::get_config();
  const auto& axes = options_.axis.axes();
  c["axis"] = options_.axis.is_single() ? Config(axes[0]) : Config(axes);
  return c;
}

std::shared_ptr<Layer> UnitNormalization::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  UnitNormalizationOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("axis")) {
    const Config& axis = config["axis"];
    if (axis.is_number_integer()) {
      o.axis = axis.get<int64_t>();
    } else if (axis.is_array() && std::all_of(axis.begin(), axis.end(), [](const Config& a) { return a.is_number_integer(); })) {
      o.axis = AxisArgument(axis.get<std::vector<int64_t>>());
    } else {
      throw ValueError("Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: axis=" +
                       axis.dump());
    }
  }
  return std::make_shared<UnitNormalization>(o);
}

KERAS_REGISTER_LAYER(UnitNormalization);

}  // namespace keras::layers
