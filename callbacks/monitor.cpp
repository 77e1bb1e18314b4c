#include <keras/callbacks/monitor.h>

#include <keras/models/model.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <set>

namespace keras::callbacks::detail {


void warn(const std::string& message) { std::cerr << "UserWarning: " << message << std::endl; }

namespace {

// The Keras metric classes that set _direction (keras/src/metrics/*.py); others (Mean, Sum,
// MeanMetricWrapper of a function) have none.
const std::set<std::string>& up_classes() {
  static const std::set<std::string> classes = {
      "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
      "SparseTopKCategoricalAccuracy", "TruePositives", "TrueNegatives", "Precision", "Recall",
      "SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall", "RecallAtPrecision", "AUC",
      "CosineSimilarity", "R2Score", "FBetaScore", "F1Score", "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU",
      "OneHotMeanIoU", "PearsonCorrelation", "ConcordanceCorrelation"};
  return classes;
}

const std::set<std::string>& down_classes() {
  static const std::set<std::string> classes = {
      "FalsePositives", "FalseNegatives", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
      "MeanSquaredLogarithmicError", "RootMeanSquaredError", "LogCoshError", "Hinge", "SquaredHinge",
      "CategoricalHinge", "KLDivergence", "Poisson", "BinaryCrossentropy", "CategoricalCrossentropy",
      "SparseCategoricalCrossentropy"};
  return classes;
}

}  // namespace

std::optional<bool> metric_direction_up(const Model& model, const std::string& name) {
  std::optional<bool> up;
  for (const auto& m : model.metrics()) {
    if (m->name() != name) continue;
    if (up_classes().count(m->class_name())) up = true;
    if (down_classes().count(m->class_name())) up = false;
  }
  return up;
}

std::optional<bool> monitor_minimizes(const Model& model, const std::string& mode, const std::string& monitor) {
  if (mode == "min") return true;
  if (mode == "max") return false;
  std::string name = monitor;
  if (name.rfind("val_", 0) == 0) name = name.substr(4);
  std::optional<bool> minimize;
  if (name == "loss") minimize = true;
  if (const auto up = metric_direction_up(model, name)) minimize = !*up;
  return minimize;
}

}  // namespace keras::callbacks::detail
