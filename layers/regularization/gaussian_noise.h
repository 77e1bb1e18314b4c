#pragma once
#include <keras/core/random.h>
#include <keras/layers/layer.h>

#include <memory>
#include <optional>

namespace keras::layers {

struct GaussianNoiseOptions {
  std::optional<uint64_t> seed = {};  // none: drawn from the global seed (keras::utils::set_random_seed)
  std::string name = {};              // empty: "gaussian_noise", "gaussian_noise_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.GaussianNoise: when training, adds N(0, stddev) noise to every unit; at inference the
/// identity. stddev must lie in [0, 1], as Keras requires.
class GaussianNoise final : public Layer {
 public:
  explicit GaussianNoise(double stddev, GaussianNoiseOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GaussianNoise>(*this); }

  double stddev() const { return stddev_; }

 private:
  double stddev_;
  GaussianNoiseOptions options_;
  std::shared_ptr<random::SeedGenerator> seed_generator_;  // shared by copies: one sequence of draws
};

}  // namespace keras::layers
