#include <keras/layers/regularization/spatial_dropout3d.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

SpatialDropout3D::SpatialDropout3D(double rate, SpatialDropout3DOptions options)
    : BaseSpatialDropout("SpatialDropout3D", rate, 3, options.data_format, options.seed, options.name, options.dtype) {}

std::shared_ptr<Layer> SpatialDropout3D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  SpatialDropout3DOptions o{.seed = seed_from_config(config, "SpatialDropout3D"), .name = base.name, .dtype = base.dtype};
  if (config.contains("data_format") && config["data_format"].is_string()) {
    o.data_format = config["data_format"].get<std::string>();
  }
  return std::make_shared<SpatialDropout3D>(rate_from_config(config, "SpatialDropout3D"), o);
}

KERAS_REGISTER_LAYER(SpatialDropout3D);

}  // namespace keras::layers
