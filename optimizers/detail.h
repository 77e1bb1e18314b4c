#pragma once
// Internal to optimizers/: reading configs and sharing the common options. Not installed API.
#include <keras/core/errors.h>
#include <keras/optimizers/optimizer.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <type_traits>

namespace keras::optimizers::detail {

/// Reads a Keras config, as Keras's cls(**config): every key must be an argument of the class.
class ConfigReader {
 public:
  ConfigReader(const Config& config, std::string who);
  double number(const char* key, double fallback);
  /// A key the class has no default for: throws ValueError when it is missing.
  double required_number(const char* key);
  int64_t required_integer(const char* key);
  std::optional<double> optional_number(const char* key, std::optional<double> fallback);
  int64_t integer(const char* key, int64_t fallback);
  std::optional<int64_t> optional_integer(const char* key, std::optional<int64_t> fallback);
  bool boolean(const char* key, bool fallback);
  std::string string(const char* key, const std::string& fallback);
  LearningRate learning_rate(const LearningRate& fallback);
  /// The value at `key` for arguments of other forms (a list); null when absent.
  const Config& raw(const char* key);
  /// Throws ValueError naming the keys no reader asked for.
  void finish() const;

 private:
  const Config& at(const char* key);
  const Config& config_;
  std::string who_;
  std::set<std::string> used_;
};

/// Reads the keyword arguments every optimizer shares into an optimizer's options struct.
template <class Options>
void read_common_options(ConfigReader& r, Options& o) {
  if constexpr (std::is_same_v<decltype(o.weight_decay), double>) {
    o.weight_decay = r.number("weight_decay", o.weight_decay);
  } else {
    o.weight_decay = r.optional_number("weight_decay", o.weight_decay);
  }
  o.clipnorm = r.optional_number("clipnorm", o.clipnorm);
  o.clipvalue = r.optional_number("clipvalue", o.clipvalue);
  o.global_clipnorm = r.optional_number("global_clipnorm", o.global_clipnorm);
  o.use_ema = r.boolean("use_ema", o.use_ema);
  o.ema_momentum = r.number("ema_momentum", o.ema_momentum);
  o.ema_overwrite_frequency = r.optional_integer("ema_overwrite_frequency", o.ema_overwrite_frequency);
  o.loss_scale_factor = r.optional_number("loss_scale_factor", o.loss_scale_factor);
  o.gradient_accumulation_steps = r.optional_integer("gradient_accumulation_steps", o.gradient_accumulation_steps);
  o.name = r.string("name", o.name);
  r.raw("decay");  // Keras 3 accepts and ignores the Keras 2 argument
}

/// The shared keyword arguments of an optimizer's options struct, with Keras's default name.
template <class Options>
OptimizerOptions common_options(const Options& o, const char* default_name) {
  return OptimizerOptions{.weight_decay = o.weight_decay,
                          .clipnorm = o.clipnorm,
                          .clipvalue = o.clipvalue,
                          .global_clipnorm = o.global_clipnorm,
                          .use_ema = o.use_ema,
                          .ema_momentum = o.ema_momentum,
                          .ema_overwrite_frequency = o.ema_overwrite_frequency,
                          .loss_scale_factor = o.loss_scale_factor,
                          .gradient_accumulation_steps = o.gradient_accumulation_steps,
                          .name = o.name.empty() ? std::string(default_name) : o.name};
}

/// A rank-0 tensor of `like`'s dtype: Keras's ops.cast(python_float, variable.dtype).
Tensor scalar(double value, const Tensor& like);

}  // namespace keras::optimizers::detail
