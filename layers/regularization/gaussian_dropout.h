#pragma once
#include <keras/core/random.h>
#include <keras/layers/layer.h>

#include <memory>
#include <optional>

namespace keras::layers {

struct GaussianDropoutOptions {
  std::optional<uint64_t> seed = {};  // none: drawn from the global seed (keras::utils::set_random_seed)
  std::string name = {};              // empty: "gaussian_dropout", "gaussian_dropout_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.GaussianDropout: when training, multiplies every unit by N(1, sqrt(rate / (1 - rate)))
/// noise; at inference the identity.
class GaussianDropout final : public Layer {
 public:
  explicit GaussianDropout(double rate, GaussianDropoutOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GaussianDropout>(*this); }

  double rate() const { return rate_; }

 private:
  double rate_;
  GaussianDropoutOptions options_;
  std::shared_ptr<random::SeedGenerator> seed_generator_;  // shared by copies: one sequence of draws
};

}  // namespace keras::layers
