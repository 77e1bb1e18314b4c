#pragma once
/// keras.metrics: the Metric base, MetricArg (what compile's `metrics` takes) and the built-in metrics.
#include <keras/metrics/accuracy_metrics.h>
#include <keras/metrics/confusion_metrics.h>
#include <keras/metrics/f_score_metrics.h>
#include <keras/metrics/hinge_metrics.h>
#include <keras/metrics/metric.h>
#include <keras/metrics/probabilistic_metrics.h>
#include <keras/metrics/reduction_metrics.h>
#include <keras/metrics/regression_metrics.h>
