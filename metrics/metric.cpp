#include <keras/metrics/metric.h>

#include <keras/core/ops.h>

#include <nlohmann/json.hpp>

#include <mutex>
#include <unordered_map>

namespace keras::metrics {

Metric::Metric(const std::string& default_name, const MetricOptions& options)
    : name_(options.name.empty() ? default_name : options.name), dtype_(options.dtype) {}

void Metric::reset_state() {
  for (Variable& v : *variables_) v.assign(ops::zeros(v.shape(), v.dtype()));
}

Config Metric::get_config() const { return Config{{"name", name_}, {"dtype", std::string(dtype_name(dtype_))}}; }

Variable Metric::add_variable(const Shape& shape, const std::string& name, DType dtype, const Tensor& initial) {
  if (initial.defined() && initial.shape() != shape) {
    throw ValueError("Metric '" + name_ + "': the initial value of variable '" + name + "' has shape " +
                     initial.shape().str() + ", expected " + shape.str());
  }
  Variable v(initial.defined() ? ops::cast(initial, dtype) : ops::zeros(shape, dtype), {.name = name, .trainable = false});
  variables_->push_back(v);
  return v;
}

Variable Metric::declare_variable(const std::string& name) const {
  return Variable(VariableOptions{.name = name, .trainable = false});
}

void Metric::build_variable(Variable& declared, const Shape& shape) {
  declared.assign(ops::zeros(shape, dtype_));
  variables_->push_back(declared);
}

std::string Metric::unique_name(const std::string& base) {
  static std::mutex mutex;
  static std::unordered_map<std::string, int64_t> counts;
  std::lock_guard<std::mutex> lock(mutex);
  const int64_t n = counts[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

}  // namespace keras::metrics
