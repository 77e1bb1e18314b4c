#include <keras/metrics/probabilistic_metrics.h>

#include <keras/metrics/loss_functions.h>

#include <nlohmann/json.hpp>

namespace keras::metrics {

KLDivergence::KLDivergence(MetricOptions options)
    : MeanMetricWrapper(detail::kl_divergence, "kl_divergence", options) {}

Poisson::Poisson(MetricOptions options) : MeanMetricWrapper(detail::poisson, "poisson", options) {}

BinaryCrossentropy::BinaryCrossentropy(BinaryCrossentropyOptions options)
    : MeanMetricWrapper([options](const Tensor& y_true, const Tensor& y_pred) {
                          return detail::binary_crossentropy(y_true, y_pred, options.from_logits,
                                                             options.label_smoothing);
                        },
                        "binary_crossentropy", {options.name, options.dtype}),
      options_(options) {}

Config BinaryCrossentropy::get_config() const {
  Config config = MeanMetricWrapper::get_config();
  config["from_logits"] = options_.from_logits;
  config["label_smoothing"] = options_.label_smoothing;
  return config;
}

CategoricalCrossentropy::CategoricalCrossentropy(CategoricalCrossentropyOptions options)
    : MeanMetricWrapper([options](const Tensor& y_true, const Tensor& y_pred) {
                          return detail::categorical_crossentropy(y_true, y_pred, options.from_logits,
                                                                  options.label_smoothing, options.axis);
                        },
                        "categorical_crossentropy", {options.name, options.dtype}),
      options_(options) {}

Config CategoricalCrossentropy::get_config() const {
  Config config = MeanMetricWrapper::get_config();
  config["from_logits"] = options_.from_logits;
  config["label_smoothing"] = options_.label_smoothing;
  config["axis"] = options_.axis;
  return config;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options)
    : MeanMetricWrapper([options](const Tensor& y_true, const Tensor& y_pred) {
                          return detail::sparse_categorical_crossentropy(y_true, y_pred, options.from_logits,
                                                                         options.axis);
                        },
                        "sparse_categorical_crossentropy", {options.name, options.dtype}),
      options_(options) {}

Config SparseCategoricalCrossentropy::get_config() const {
  Config config = MeanMetricWrapper::get_config();
  config["from_logits"] = options_.from_logits;
  config["axis"] = options_.axis;
  return config;
}

}  // namespace keras::metrics
