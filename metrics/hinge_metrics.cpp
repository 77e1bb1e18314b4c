#include <keras/metrics/hinge_metrics.h>

#include <keras/losses/losses.h>

namespace keras::metrics {

Hinge::Hinge(MetricOptions options) : MeanMetricWrapper(losses::hinge, "hinge", options) {}

SquaredHinge::SquaredHinge(MetricOptions options) : MeanMetricWrapper(losses::squared_hinge, "squared_hinge", options) {}

CategoricalHinge::CategoricalHinge(MetricOptions options)
    : MeanMetricWrapper(losses::categorical_hinge, "categorical_hinge", options) {}

}  // namespace keras::metrics
