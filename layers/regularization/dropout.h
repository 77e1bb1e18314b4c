#pragma once
#include <keras/core/random.h>
#include <keras/layers/layer.h>

#include <memory>
#include <optional>

namespace keras::layers {

struct DropoutOptions {
  std::optional<Shape> noise_shape = {};  // the mask's shape, broadcast to the input's; None entries take its size
  std::optional<uint64_t> seed = {};      // none: drawn from the global seed (keras::utils::set_random_seed)
  std::string name = {};                  // empty: "dropout", "dropout_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Dropout: when training, zeroes each unit with probability `rate` and scales the others
/// by 1 / (1 - rate); at inference the identity. A seeded layer repeats the same sequence of masks.
class Dropout final : public Layer {
 public:
  explicit Dropout(double rate, DropoutOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Dropout>(*this); }

  double rate() const { return rate_; }

 private:
  double rate_;
  DropoutOptions options_;
  std::shared_ptr<random::SeedGenerator> seed_generator_;  // shared by copies: one sequence of masks
};

}  // namespace keras::layers
