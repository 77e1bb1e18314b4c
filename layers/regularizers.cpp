#include <keras/layers/regularizers.h>

#include <keras/core/ops.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace keras {

namespace regularizers {

namespace {
void check_factor(double v, const char* who) {
  if (!std::isfinite(v) || v < 0) {
    throw ValueError(std::string(who) + ": the regularization factor must be a non-negative number, got " + std::to_string(v));
  }
}
}  // namespace

L1::L1(L1Options options) : options_(options) { check_factor(options.l1, "L1"); }
Tensor L1::operator()(const Tensor& x) const { return ops::sum(ops::abs(x)) * options_.l1; }
Config L1::get_config() const { return Config{{"l1", options_.l1}}; }

L2::L2(L2Options options) : options_(options) { check_factor(options.l2, "L2"); }
Tensor L2::operator()(const Tensor& x) const { return ops::sum(ops::square(x)) * options_.l2; }
Config L2::get_config() const { return Config{{"l2", options_.l2}}; }

L1L2::L1L2(L1L2Options options) : options_(options) {
  check_factor(options.l1, "L1L2");
  check_factor(options.l2, "L1L2");
}
Tensor L1L2::operator()(const Tensor& x) const {
  Tensor r = ops::zeros({}, x.dtype());
  if (options_.l1) r = r + ops::sum(ops::abs(x)) * options_.l1;
  if (options_.l2) r = r + ops::sum(ops::square(x)) * options_.l2;
  return r;
}
Config L1L2::get_config() const { return Config{{"l1", options_.l1}, {"l2", options_.l2}}; }

namespace {
Regularizer make(const std::string& cls, const Config& c) {
  try {
    if (cls == "L1") return Regularizer(L1({c.value("l1", 0.01)}));
    if (cls == "L2") return Regularizer(L2({c.value("l2", 0.01)}));
    if (cls == "L1L2") return Regularizer(L1L2({c.value("l1", 0.0), c.value("l2", 0.0)}));
  } catch (const nlohmann::json::exception& e) {
    throw ValueError("Regularizer '" + cls + "': malformed config (" + e.what() + "): " + c.dump());
  }
  throw ValueError("Unknown regularizer: '" + cls + "'. Known: l1, l2, l1_l2 (L1, L2, L1L2)");
}
}  // namespace
}  // namespace regularizers

Regularizer::Regularizer(const char* name) : Regularizer(std::string(name)) {}

Regularizer::Regularizer(const std::string& name) {
  // Keras: "l1" and "l2" use the default factor 0.01; "l1_l2" uses 0.01 for both.
  if (name == "l1") *this = regularizers::L1();
  else if (name == "l2") *this = regularizers::L2();
  else if (name == "l1_l2") *this = regularizers::L1L2({0.01, 0.01});
  else if (name == "l1l2") *this = regularizers::L1L2();  // keras.regularizers.get's snake_case of L1L2: factors 0
  else *this = regularizers::make(name, Config::object());
}

Tensor Regularizer::operator()(const Tensor& x) const {
  if (!impl_) throw ValueError("Regularizer: calling an empty (None) regularizer");
  return (*impl_)(x);
}

Config Regularizer::to_config() const {
  if (!impl_) return nullptr;
  return Config{{"module", "keras.regularizers"}, {"class_name", impl_->class_name()}, {"config", impl_->get_config()},
                {"registered_name", nullptr}};
}

Regularizer Regularizer::from_config(const Config& config) {
  if (config.is_null()) return Regularizer();
  if (config.is_string()) return Regularizer(config.get<std::string>());
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw ValueError("Cannot read a regularizer from " + config.dump().substr(0, 200));
  }
  return regularizers::make(config["class_name"].get<std::string>(),
                            config.contains("config") && config["config"].is_object() ? config["config"] : Config::object());
}

}  // namespace keras
