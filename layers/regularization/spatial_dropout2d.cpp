#include <keras/layers/regularization/spatial_dropout2d.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

SpatialDropout2D::SpatialDropout2D(double rate, SpatialDropout2DOptions options)
    : BaseSpatialDropout("SpatialDropout2D", rate, 2, options.data_format, options.seed, options.name, options.dtype) {}

std::shared_ptr<Layer> SpatialDropout2D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  SpatialDropout2DOptions o{.seed = seed_from_config(config, "SpatialDropout2D"), .name = base.name, .dtype = base.dtype};
  if (config.contains("data_format") && config["data_format"].is_string()) {
    o.data_format = config["data_format"].get<std::string>();
  }
  return std::make_shared<SpatialDropout2D>(rate_from_config(config, "SpatialDropout2D"), o);
}

KERAS_REGISTER_LAYER(SpatialDropout2D);

}  // namespace keras::layers
