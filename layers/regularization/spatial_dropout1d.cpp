#include <keras/layers/regularization/spatial_dropout1d.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

SpatialDropout1D::SpatialDropout1D(double rate, SpatialDropout1DOptions options)
    : BaseSpatialDropout("SpatialDropout1D", rate, 1, "", options.seed, options.name, options.dtype) {}

std::shared_ptr<Layer> SpatialDropout1D::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  SpatialDropout1DOptions o{.seed = seed_from_config(config, "SpatialDropout1D"), .name = base.name, .dtype = base.dtype};
  return std::make_shared<SpatialDropout1D>(rate_from_config(config, "SpatialDropout1D"), o);
}

KERAS_REGISTER_LAYER(SpatialDropout1D);

}  // namespace keras::layers
