#include <keras/core/random.h>

#include <keras/core/device_scope.h>
#include <keras/core/graph/trace.h>
#include <keras/kernels/random.h>

#include <atomic>
#include <mutex>

namespace keras::random {

namespace {
std::mutex global_mutex;
SeedGenerator& global_generator() {
  static SeedGenerator generator(1337);  // fixed default: a program repeats unless reseeded
  return generator;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

SeedGenerator::SeedGenerator(std::optional<uint64_t> seed) {
  if (seed) {
    seed_ = *seed;
  } else {
    std::lock_guard<std::mutex> lock(global_mutex);
    seed_ = splitmix64(global_generator().next(1).second ^ global_generator().seed());
  }
}

std::pair<uint64_t, uint64_t> SeedGenerator::next(uint64_t count) {
  const uint64_t first = counter_;
  counter_ += count;
  return {seed_, first};
}

std::pair<uint64_t, uint64_t> Seed::draw(uint64_t count) const {
  if (generator_) return generator_->next(count);
  if (value_) return {splitmix64(*value_), 0};
  std::lock_guard<std::mutex> lock(global_mutex);
  return global_generator().next(count);
}

namespace {
Tensor draw(kernels::Distribution dist, const Shape& shape, double a, double b, DType dtype, const Seed& seed,
            const char* name) {
  if (!is_floating(dtype)) {
    throw ValueError(std::string("random.") + name + ": dtype must be floating, got " + std::string(dtype_name(dtype)));
  }
  // Traced, the draw is a host node: each replay takes the next (seed, counter) from the generator.
  const Device device = default_device();
  return graph::detail::host_call(std::string("random.") + name, {}, [=](const Tensors&) {
    const auto [s, counter] = seed.draw(static_cast<uint64_t>(shape.size()));
    return Tensors{kernels::random({dist, shape, dtype, a, b, s, counter, device})};
  })[0];
}
}  // namespace

Tensor normal(const Shape& shape, NormalOptions o) {
  if (o.stddev < 0) throw ValueError("random.normal: stddev must be non-negative, got " + std::to_string(o.stddev));
  return draw(kernels::Distribution::normal, shape, o.mean, o.stddev, o.dtype, o.seed, "normal");
}

Tensor uniform(const Shape& shape, UniformOptions o) {
  if (!(o.minval <= o.maxval)) {
    throw ValueError("random.uniform: minval (" + std::to_string(o.minval) + ") must not exceed maxval (" +
                     std::to_string(o.maxval) + ")");
  }
  return draw(kernels::Distribution::uniform, shape, o.minval, o.maxval, o.dtype, o.seed, "uniform");
}

Tensor truncated_normal(const Shape& shape, NormalOptions o) {
  if (o.stddev < 0) throw ValueError("random.truncated_normal: stddev must be non-negative, got " + std::to_string(o.stddev));
  return draw(kernels::Distribution::truncated_normal, shape, o.mean, o.stddev, o.dtype, o.seed, "truncated_normal");
}

}  // namespace keras::random

namespace keras::utils {
void set_random_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(keras::random::global_mutex);
  keras::random::global_generator() = keras::random::SeedGenerator(seed);
}
}  // namespace keras::utils
