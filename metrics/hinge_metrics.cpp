#include <keras/metrics/hinge_metrics.h>

#include <keras/metrics/loss_functions.h>

namespace keras::metrics {

Hinge::Hinge(MetricOptions options) : MeanMetricWrapper(detail::hinge, "hinge", options) {}

SquaredHinge::SquaredHinge(MetricOptions options) : MeanMetricWrapper(detail::squared_hinge, "squared_hinge", options) {}

CategoricalHinge::CategoricalHinge(MetricOptions options)
    : MeanMetricWrapper(detail::categorical_hinge, "categorical_hinge", options) {}

}  // namespace keras::metrics
