#include <keras/layers/constraints.h>

#include <keras/core/ops.h>

#include <nlohmann/json.hpp>

namespace keras {

namespace constraints {

Config ConstraintBase::get_config() const { return Config::object(); }

namespace {
// L2 norms over `axis` (kept for broadcasting); Keras's epsilon keeps the division finite.
Tensor norms(const Tensor& w, int64_t axis) { return ops::sqrt(ops::sum(ops::square(w), axis, true)); }
constexpr double kEpsilon = 1e-7;
}  // namespace

Tensor MaxNorm::operator()(const Tensor& w) const {
  const Tensor n = norms(w, options_.axis);
  const Tensor desired = ops::clip(n, 0.0, options_.max_value);
  return w * (desired / (n + kEpsilon));
}
Config MaxNorm::get_config() const { return Config{{"max_value", options_.max_value}, {"axis", options_.axis}}; }

Tensor NonNeg::operator()(const Tensor& w) const { return w * ops::cast(w >= 0.0, w.dtype()); }

Tensor UnitNorm::operator()(const Tensor& w) const { return w / (norms(w, options_.axis) + kEpsilon); }
Config UnitNorm::get_config() const { return Config{{"axis", options_.axis}}; }

Tensor MinMaxNorm::operator()(const Tensor& w) const {
  const Tensor n = norms(w, options_.axis);
  const Tensor desired = ops::clip(n, options_.min_value, options_.max_value) * options_.rate + n * (1.0 - options_.rate);
  return w * (desired / (n + kEpsilon));
}
Config MinMaxNorm::get_config() const {
  return Config{{"min_value", options_.min_value}, {"max_value", options_.max_value}, {"rate", options_.rate},
                {"axis", options_.axis}};
}

namespace {
int64_t axis_of(const Config& c) {
  if (!c.contains("axis")) return 0;
  const Config& a = c["axis"];
  if (a.is_number_integer()) return a.get<int64_t>();
  if (a.is_array() && a.size() == 1 && a[0].is_number_integer()) return a[0].get<int64_t>();
  throw NotImplementedError("constraints: only a single axis is supported, got " + a.dump());
}

Constraint make(const std::string& cls, const Config& c) {
  try {
    if (cls == "MaxNorm") return Constraint(MaxNorm({c.value("max_value", 2.0), axis_of(c)}));
    if (cls == "NonNeg") return Constraint(NonNeg());
    if (cls == "UnitNorm") return Constraint(UnitNorm({axis_of(c)}));
    if (cls == "MinMaxNorm") {
      return Constraint(MinMaxNorm({c.value("min_value", 0.0), c.value("max_value", 1.0), c.value("rate", 1.0), axis_of(c)}));
    }
  } catch (const nlohmann::json::exception& e) {
    throw ValueError("Constraint '" + cls + "': malformed config (" + e.what() + "): " + c.dump());
  }
  throw ValueError("Unknown constraint: '" + cls + "'. Known: max_norm, non_neg, unit_norm, min_max_norm");
}
}  // namespace
}  // namespace constraints

Constraint::Constraint(const char* name) : Constraint(std::string(name)) {}

Constraint::Constraint(const std::string& name) {
  if (name == "max_norm") *this = constraints::MaxNorm();
  else if (name == "non_neg") *this = constraints::NonNeg();
  else if (name == "unit_norm") *this = constraints::UnitNorm();
  else if (name == "min_max_norm") *this = constraints::MinMaxNorm();
  else *this = constraints::make(name, Config::object());
}

Tensor Constraint::operator()(const Tensor& w) const {
  if (!impl_) throw ValueError("Constraint: calling an empty (None) constraint");
  return (*impl_)(w);
}

Config Constraint::to_config() const {
  if (!impl_) return nullptr;
  return Config{{"module", "keras.constraints"}, {"class_name", impl_->class_name()}, {"config", impl_->get_config()},
                {"registered_name", nullptr}};
}

Constraint Constraint::from_config(const Config& config) {
  if (config.is_null()) return Constraint();
  if (config.is_string()) return Constraint(config.get<std::string>());
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw ValueError("Cannot read a constraint from " + config.dump().substr(0, 200));
  }
  return constraints::make(config["class_name"].get<std::string>(),
                           config.contains("config") && config["config"].is_object() ? config["config"] : Config::object());
}

}  // namespace keras
