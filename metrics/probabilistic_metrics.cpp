#include <keras/metrics/probabilistic_metrics.h>

#include <keras/losses/losses.h>

#include <nlohmann/json.hpp>

namespace keras::metrics {

KLDivergence::KLDivergence(MetricOptions options)
    : MeanMetricWrapper(losses::kl_divergence, "kl_divergence", options) {}

Poisson::Poisson(MetricOptions options) : MeanMetricWrapper(losses::poisson, "poisson", options) {}

BinaryCrossentropy::BinaryCrossentropy(BinaryCrossentropyOptions options)
    : MeanMetricWrapper([options](const Tensor& y_true, const Tensor& y_pred) {
                          return losses::binary_crossentropy(y_true, y_pred, options.from_logits,
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
                          return losses::categorical_crossentropy(y_true, y_pred, options.from_logits,
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
                          return losses::sparse_categorical_crossentropy(y_true, y_pred, options.from_logits, std::nullopt,
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
