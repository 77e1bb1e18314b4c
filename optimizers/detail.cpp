#include <keras/optimizers/detail.h>

#include <keras/core/ops.h>

#include <cmath>

namespace keras::optimizers::detail {

Tensor scalar(double value, const Tensor& like) { return Tensor::scalar(value, like.dtype(), like.device()); }

ConfigReader::ConfigReader(const Config& config, std::string who) : config_(config), who_(std::move(who)) {
  if (!config_.is_object()) throw ValueError(who_ + ": the config must be a JSON object, got " + config_.dump());
}

const Config& ConfigReader::at(const char* key) {
  used_.insert(key);
  static const Config null_value = nullptr;
  const auto it = config_.find(key);
  return it == config_.end() ? null_value : *it;
}

const Config& ConfigReader::raw(const char* key) { return at(key); }

double ConfigReader::number(const char* key, double fallback) {
  const Config& v = at(key);
  if (v.is_null()) return fallback;
  if (!v.is_number()) throw ValueError(who_ + ": config key '" + key + "' must be a number, got " + v.dump());
  return v.get<double>();
}

double ConfigReader::required_number(const char* key) {
  if (at(key).is_null()) throw ValueError(who_ + ": the config lacks the required key '" + key + "'");
  return number(key, 0.0);
}

int64_t ConfigReader::required_integer(const char* key) {
  if (at(key).is_null()) throw ValueError(who_ + ": the config lacks the required key '" + key + "'");
  return integer(key, 0);
}

std::optional<double> ConfigReader::optional_number(const char* key, std::optional<double> fallback) {
  const Config& v = at(key);
  if (!config_.contains(key)) return fallback;
  if (v.is_null()) return std::nullopt;
  return number(key, 0.0);
}

int64_t ConfigReader::integer(const char* key, int64_t fallback) {
  const Config& v = at(key);
  if (v.is_null()) return fallback;
  // Python configs may hold an integral float (10.0) where an int is meant.
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) return static_cast<int64_t>(v.get<double>());
  if (!v.is_number_integer()) throw ValueError(who_ + ": config key '" + key + "' must be an integer, got " + v.dump());
  return v.get<int64_t>();
}

std::optional<int64_t> ConfigReader::optional_integer(const char* key, std::optional<int64_t> fallback) {
  const Config& v = at(key);
  if (!config_.contains(key)) return fallback;
  if (v.is_null()) return std::nullopt;
  return integer(key, 0);
}

bool ConfigReader::boolean(const char* key, bool fallback) {
  const Config& v = at(key);
  if (v.is_null()) return fallback;
  if (!v.is_boolean()) throw ValueError(who_ + ": config key '" + key + "' must be true or false, got " + v.dump());
  return v.get<bool>();
}

std::string ConfigReader::string(const char* key, const std::string& fallback) {
  const Config& v = at(key);
  if (v.is_null()) return fallback;
  if (!v.is_string()) throw ValueError(who_ + ": config key '" + key + "' must be a string, got " + v.dump());
  return v.get<std::string>();
}

LearningRate ConfigReader::learning_rate(const LearningRate& fallback) {
  const Config& v = at("learning_rate");
  if (v.is_null()) return fallback;
  return LearningRate::from_config(v);
}

void ConfigReader::finish() const {
  std::string unknown;
  for (const auto& [key, value] : config_.items()) {
    if (!used_.contains(key)) unknown += (unknown.empty() ? "'" : ", '") + key + "'";
  }
  if (!unknown.empty()) throw ValueError(who_ + ": argument(s) not recognized in the config: " + unknown);
}

}  // namespace keras::optimizers::detail
