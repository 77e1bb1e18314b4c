#pragma once
#include <keras/core/random.h>
#include <keras/layers/layer.h>

#include <memory>
#include <optional>
#include <string>

namespace keras::layers {

/// Keras's BaseSpatialDropout: Dropout that drops whole channels (one draw per sample and channel,
/// shared by every spatial position). Identity at inference. Its config is Keras's: rate, seed,
/// name, dtype (no trainable), then data_format for the 2-D and 3-D layers.
class BaseSpatialDropout : public Layer {
 public:
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override { return input_shape; }
  Config get_config() const override;

  double rate() const { return rate_; }
  const std::string& data_format() const { return data_format_; }

 protected:
  /// data_format "" for SpatialDropout1D, which is always channels_last.
  BaseSpatialDropout(std::string class_name, double rate, size_t spatial_dimensions, const std::string& data_format,
                     std::optional<uint64_t> seed, const std::string& name, const std::string& dtype);
  static double rate_from_config(const Config& config, const std::string& who);

 private:
  double rate_;
  std::string data_format_;
  bool has_data_format_;
  std::optional<uint64_t> seed_;
  std::shared_ptr<random::SeedGenerator> seed_generator_;  // shared by copies: one sequence of masks
};

}  // namespace keras::layers
