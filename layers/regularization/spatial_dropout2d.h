#pragma once
#include <keras/layers/regularization/base_spatial_dropout.h>

namespace keras::layers {

/// SpatialDropout2D's keyword arguments, as Keras's (which has no `trainable`).
struct SpatialDropout2DOptions {
  std::string data_format = {};        // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
  std::optional<uint64_t> seed = {};  // none: drawn from the global seed (keras::utils::set_random_seed)
  std::string name = {};               // empty: "spatial_dropout2d", "spatial_dropout2d_1", ...
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.SpatialDropout2D: when training, zeroes whole channels of (batch, rows, cols, channels) inputs (or channels first)
/// with probability `rate` and scales the rest by 1 / (1 - rate); at inference the identity.
class SpatialDropout2D final : public BaseSpatialDropout {
 public:
  explicit SpatialDropout2D(double rate, SpatialDropout2DOptions options = {});
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<SpatialDropout2D>(*this); }
};

}  // namespace keras::layers
