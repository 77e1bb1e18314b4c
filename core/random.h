#pragma once
#include <keras/core/tensor.h>

#include <cstdint>
#include <optional>

/// keras.random: seeded random tensors. The same seed gives the same numbers, on any thread count.
namespace keras::random {

/// keras.random.SeedGenerator: each draw advances its state, so successive draws differ while a
/// whole run repeats for the same seed. Without a seed it takes one from the global seed.
class SeedGenerator {
 public:
  explicit SeedGenerator(std::optional<uint64_t> seed = std::nullopt);
  /// Reserves `count` numbers: returns (seed, first counter) for the kernel.
  std::pair<uint64_t, uint64_t> next(uint64_t count);
  uint64_t seed() const { return seed_; }
  uint64_t counter() const { return counter_; }
  void set_counter(uint64_t counter) { counter_ = counter; }

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
};

/// The `seed` argument: none (draw from the global generator), an integer (the same numbers on
/// every call, as Keras), or a SeedGenerator that advances.
class Seed {
 public:
  Seed() = default;
  Seed(uint64_t seed) : value_(seed) {}                        // NOLINT
  Seed(int seed) : value_(static_cast<uint64_t>(seed)) {}      // NOLINT
  /// Draws from `generator`, which must outlive this Seed (layers keep theirs in shared state).
  Seed(SeedGenerator& generator) : generator_(&generator) {}   // NOLINT
  /// (seed, counter) for a draw of `count` numbers.
  std::pair<uint64_t, uint64_t> draw(uint64_t count) const;

 private:
  std::optional<uint64_t> value_;
  SeedGenerator* generator_ = nullptr;
};

struct NormalOptions {
  double mean = 0.0;
  double stddev = 1.0;
  DType dtype = DType::float32;
  Seed seed = {};
};
struct UniformOptions {
  double minval = 0.0;
  double maxval = 1.0;
  DType dtype = DType::float32;
  Seed seed = {};
};

Tensor normal(const Shape& shape, NormalOptions options = {});
Tensor uniform(const Shape& shape, UniformOptions options = {});
/// Normal values, redrawn until within two standard deviations of the mean.
Tensor truncated_normal(const Shape& shape, NormalOptions options = {});

}  // namespace keras::random

namespace keras::utils {
/// keras.utils.set_random_seed: reseeds the global generator that unseeded draws use.
void set_random_seed(uint64_t seed);
}  // namespace keras::utils
