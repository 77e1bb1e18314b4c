#include <keras/callbacks/monitor.h>

#include <keras/models/model.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <set>

namespace keras::callbacks::detail {

std::string float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  // The shortest round-trip digits, laid out by Python's rule: fixed notation while the decimal
  // point falls within (-4, 16], scientific with a two-digit exponent otherwise.
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string s(buf, r.ptr);
  const size_t e = s.find('e');
  std::string mantissa = s.substr(0, e);
  const int exponent = std::atoi(s.c_str() + e + 1);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  const int point = exponent + 1;  // digits d1d2... stand for 0.d1d2... * 10^point
  std::string out = negative ? "-" : "";
  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out.append("0.").append(static_cast<size_t>(-point), '0').append(digits);
    } else if (static_cast<size_t>(point) >= digits.size()) {
      out.append(digits).append(static_cast<size_t>(point) - digits.size(), '0').append(".0");
    } else {
      out.append(digits, 0, static_cast<size_t>(point)).append(1, '.').append(digits, static_cast<size_t>(point));
    }
    return out;
  }
  out.append(1, digits[0]);
  if (digits.size() > 1) out.append(1, '.').append(digits, 1);
  char exp[16];
  std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out.append(exp);
}

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
