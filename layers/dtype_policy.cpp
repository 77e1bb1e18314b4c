#include <keras/layers/dtype_policy.h>

#include <keras/core/errors.h>

#include <nlohmann/json.hpp>

#include <mutex>

namespace keras {

DTypePolicy::DTypePolicy(const std::string& name) : name_(name) {
  if (name == "mixed_float16") {
    compute_ = DType::float16;
    variable_ = DType::float32;
  } else if (name == "mixed_bfloat16") {
    compute_ = DType::bfloat16;
    variable_ = DType::float32;
  } else {
    try {
      compute_ = variable_ = dtype_from_name(name);
    } catch (const ValueError&) {
      throw ValueError("Cannot convert '" + name + "' to a mixed precision DTypePolicy. Valid policies include "
                       "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'.");
    }
    if (!is_floating(compute_)) {
      // Integer layers (e.g. lookups) exist in Keras but none here; say so rather than misbehave.
      throw ValueError("DTypePolicy: '" + name + "' is not a floating dtype; expected float32, float64, float16, "
                       "bfloat16, mixed_float16 or mixed_bfloat16");
    }
  }
}

Config DTypePolicy::to_config() const {
  Config c;
  c["module"] = "keras";
  c["class_name"] = "DTypePolicy";
  c["config"] = Config{{"name", name_}};
  c["registered_name"] = nullptr;
  return c;
}

DTypePolicy DTypePolicy::from_config(const Config& config) {
  if (config.is_string()) return DTypePolicy(config.get<std::string>());
  if (config.is_object() && config.contains("config") && config["config"].is_object() &&
      config["config"].contains("name") && config["config"]["name"].is_string()) {
    return DTypePolicy(config["config"]["name"].get<std::string>());
  }
  throw ValueError("DTypePolicy: expected a dtype name or {\"class_name\": \"DTypePolicy\", \"config\": {\"name\": ...}}, "
                   "got " + config.dump());
}

}  // namespace keras

namespace keras::config {

namespace {
std::mutex policy_mutex;
DTypePolicy& global_policy() {
  static DTypePolicy policy;
  return policy;
}
}  // namespace

void set_dtype_policy(const DTypePolicy& policy) {
  std::lock_guard<std::mutex> lock(policy_mutex);
  global_policy() = policy;
}

void set_dtype_policy(const std::string& policy) { set_dtype_policy(DTypePolicy(policy)); }

DTypePolicy dtype_policy() {
  std::lock_guard<std::mutex> lock(policy_mutex);
  return global_policy();
}

}  // namespace keras::config
