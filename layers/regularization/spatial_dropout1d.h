#pragma once
#include <keras/layers/regularization/base_spatial_dropout.h>

namespace keras::layers {

/// SpatialDropout1D's keyword arguments, as Keras's (which has no `trainable`).
struct SpatialDropout1DOptions {
  std::optional<uint64_t> seed = {};  // none: drawn from the global seed (keras::utils::set_random_seed)
  std::string name = {};               // empty: "spatial_dropout1d", "spatial_dropout1d_1", ...
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.SpatialDropout1D: when training, zeroes whole channels of (batch, steps, channels) inputs
/// with probability `rate` and scales the rest by 1 / (1 - rate); at inference the identity.
class SpatialDropout1D final : public BaseSpatialDropout {
 public:
  explicit SpatialDropout1D(double rate, SpatialDropout1DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<SpatialDropout1D>(*this); }
};

}  // namespace keras::layers
