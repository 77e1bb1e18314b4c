#include <keras/metrics/reduction_metrics.h>

#include <keras/core/ops.h>
#include <keras/metrics/metrics_utils.h>

#include <nlohmann/json.hpp>

namespace keras::metrics {

Reduce::Reduce(const std::string& default_name, const MetricOptions& options, bool mean)
    : Metric(default_name, options), mean_(mean) {
  total_ = add_variable(Shape{}, "total", dtype());
  if (mean_) count_ = add_variable(Shape{}, "count", dtype());
}

void Reduce::update_state(const Tensor& values, const Tensor& sample_weight) {
  if (!values.defined()) throw ValueError(class_name() + " '" + name() + "': update_state needs values");
  const auto [per_sample, weights] = detail::reduce_to_samplewise_values(values, sample_weight, mean_, dtype());
  total_.assign(total_.value() + ops::sum(per_sample));
  if (!mean_) return;
  Tensor num_samples;
  if (weights.defined()) {
    num_samples = ops::sum(weights);
  } else {
    num_samples = Tensor::scalar(per_sample.rank() >= 1 ? static_cast<double>(per_sample.shape()[0]) : 1.0, dtype());
  }
  count_.assign(count_.value() + ops::cast(num_samples, dtype()));
}

void Reduce::update_state(const Tensor&, const Tensor&, const Tensor&) {
  throw ValueError(class_name() + " '" + name() + "' is a metric of values: call update_state(values, sample_weight), "
                   "not update_state(y_true, y_pred, sample_weight); to average a function of (y_true, y_pred), "
                   "use MeanMetricWrapper");
}

Sum::Sum(MetricOptions options) : Reduce("sum", options, false) {}

Tensor Sum::result() const { return total_.value(); }

Mean::Mean(MetricOptions options) : Mean("mean", options) {}

Mean::Mean(const std::string& default_name, const MetricOptions& options) : Reduce(default_name, options, true) {}

Tensor Mean::result() const { return detail::divide_no_nan(total_.value(), count_.value()); }

MeanMetricWrapper::MeanMetricWrapper(MetricFunction fn, MetricOptions options)
    : MeanMetricWrapper(std::move(fn), options.name.empty() ? unique_name("mean_metric_wrapper") : "", options) {
  user_fn_ = true;
}

MeanMetricWrapper::MeanMetricWrapper(MetricFunction fn, const std::string& default_name, const MetricOptions& options)
    : Mean(default_name, options), fn_(std::move(fn)) {
  if (!fn_) throw ValueError("MeanMetricWrapper: the metric function is empty");
}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  if (!y_true.defined() || !y_pred.defined()) {
    throw ValueError("Metric '" + name() + "': update_state needs y_true and y_pred");
  }
  Mean::update_state(fn_(y_true, y_pred), sample_weight);
}

Config MeanMetricWrapper::get_config() const {
  Config config = Metric::get_config();
  if (!user_fn_) return config;
  config["fn"] = Config{{"module", "builtins"}, {"class_name", "function"}, {"config", name()},
                        {"registered_name", name()}};
  return config;
}

}  // namespace keras::metrics
