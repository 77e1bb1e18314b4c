#include <keras/core/graph/graph.h>
#include <keras/core/ops.h>
#include <keras/core/ops/detail.h>
#include <keras/losses/detail.h>
#include <keras/losses/probabilistic.h>

#include <nlohmann/json.hpp>

namespace keras::losses {

namespace {

using detail::kEpsilon;

Tensor clip_probabilities(const Tensor& p) { return ops::clip(p, kEpsilon, 1.0 - kEpsilon); }

// keras.ops.binary_crossentropy, elementwise. Logits: -t log(sigmoid(x)) - (1 - t) log(sigmoid(-x))
// = t softplus(-x) + (1 - t) softplus(x), exact for logits of any size, gradient sigmoid(x) - t.
Tensor binary_crossentropy_values(const Tensor& target, const Tensor& output, bool from_logits) {
  if (from_logits) return target * ops::softplus(-output) + (1.0 - target) * ops::softplus(output);
  const Tensor p = clip_probabilities(output);
  return -(target * ops::log(p) + (1.0 - target) * ops::log(1.0 - p));
}

// log(probabilities) along axis: log_softmax of logits, or Keras's normalise-then-clip of probabilities.
Tensor log_probabilities(const Tensor& output, bool from_logits, int64_t axis) {
  if (from_logits) return ops::log_softmax(output, axis);
  return ops::log(clip_probabilities(output / ops::sum(output, axis, true)));
}

// Class labels as int64 of y_pred's shape without `axis`: (batch, 1) labels lose their last axis.
Tensor sparse_labels(const Tensor& y_true, const Tensor& y_pred, int64_t axis, std::string_view loss) {
  if (!y_true.defined()) throw ValueError(std::string(loss) + ": y_true is undefined; pass a tensor");
  if (y_pred.rank() < 1) {
    throw ValueError(std::string(loss) + ": y_pred must be at least rank 1. Received: y_pred.shape=" +
                     y_pred.shape().str());
  }
  Tensor labels = y_true;
  if (labels.rank() == y_pred.rank() && labels.shape()[-1] == 1) labels = ops::squeeze(labels, std::vector<int64_t>{-1});
  const int64_t a = normalize_axis(axis, y_pred.rank(), loss);
  std::vector<int64_t> expected = y_pred.shape().dims();
  expected.erase(expected.begin() + a);
  if (labels.shape() != Shape(expected)) {
    throw ValueError(std::string(loss) + ": y_true must hold one class index per row of y_pred, of shape " +
                     Shape(expected).str() + " (or with a trailing axis of 1). Received: " +
                     detail::shapes_str(y_true, y_pred));
  }
  return labels;
}

// True where the label is not ignore_class, compared exactly in the labels' own kind of number.
Tensor valid_labels(const Tensor& labels, int64_t ignore_class) {
  if (is_integer(labels.dtype()) || labels.dtype() == DType::bool_) {
    return ops::not_equal(ops::cast(labels, DType::int64), Tensor::scalar<int64_t>(ignore_class));
  }
  return ops::not_equal(labels, scalar_like(static_cast<double>(ignore_class), labels));
}

void require_labels_in_range(const Tensor& labels, int64_t num_classes, std::string_view loss) {
  // A host check, so that a traced step checks the labels of every batch it replays on.
  graph::host_check("check_labels", {labels}, [num_classes, loss = std::string(loss)](const Tensors& t) {
    for (int64_t v : t[0].to_vector<int64_t>()) {
      if (v < 0 || v >= num_classes) {
        throw ValueError(loss + ": received a label value of " + std::to_string(v) +
                         " which is outside the valid range of [0, " + std::to_string(num_classes) +
                         "); labels must be class indices (or set ignore_class to skip such samples)");
      }
    }
  });
}

}  // namespace

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, double label_smoothing,
                           int64_t axis) {
  const Tensor yp = detail::prediction(y_pred, "binary_crossentropy");
  Tensor yt = detail::target(y_true, yp, "binary_crossentropy");
  detail::require_same_shape(yt, yp, "binary_crossentropy");
  if (label_smoothing != 0.0) yt = yt * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  return ops::mean(binary_crossentropy_values(yt, yp, from_logits), axis);
}

Tensor binary_focal_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool apply_class_balancing, double alpha,
                                 double gamma, bool from_logits, double label_smoothing, int64_t axis) {
  Tensor yp = detail::prediction(y_pred, "binary_focal_crossentropy");
  Tensor yt = detail::target(y_true, yp, "binary_focal_crossentropy");
  detail::require_same_shape(yt, yp, "binary_focal_crossentropy");
  if (label_smoothing != 0.0) yt = yt * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  // NOTE: Keras takes the sigmoid and then the clipped probability form here, not softplus; kept so
  // the values agree (for |logits| > ~16 the loss saturates at -log(epsilon) and its gradient is 0).
  if (from_logits) yp = ops::sigmoid(yp);
  const Tensor bce = binary_crossentropy_values(yt, yp, false);
  const Tensor p_t = yt * yp + (1.0 - yt) * (1.0 - yp);
  Tensor focal_bce = ops::power(1.0 - p_t, scalar_like(gamma, p_t)) * bce;
  if (apply_class_balancing) focal_bce = (yt * alpha + (1.0 - yt) * (1.0 - alpha)) * focal_bce;
  return ops::mean(focal_bce, axis);
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, double label_smoothing,
                                int64_t axis) {
  const Tensor yp = detail::prediction(y_pred, "categorical_crossentropy");
  Tensor yt = detail::target(y_true, yp, "categorical_crossentropy");
  detail::require_same_shape(yt, yp, "categorical_crossentropy");
  if (yp.rank() < 1) {
    throw ValueError("categorical_crossentropy: y_true and y_pred must be at least rank 1. Received: " +
                     detail::shapes_str(yt, yp));
  }
  normalize_axis(axis, yp.rank(), "categorical_crossentropy");
  if (label_smoothing != 0.0) {
    const double num_classes = static_cast<double>(yt.shape()[-1]);
    yt = yt * (1.0 - label_smoothing) + label_smoothing / num_classes;
  }
  return -ops::sum(yt * log_probabilities(yp, from_logits, axis), axis);
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                                       std::optional<int64_t> ignore_class, int64_t axis) {
  constexpr std::string_view kName = "sparse_categorical_crossentropy";
  Tensor yp = detail::prediction(y_pred, kName);
  Tensor labels = sparse_labels(y_true, yp, axis, kName);
  const int64_t a = normalize_axis(axis, yp.rank(), kName);
  Tensor valid;
  if (ignore_class) {
    valid = valid_labels(labels, *ignore_class);
    labels = ops::where(valid, labels, ops::zeros_like(labels));
    // NOTE: Keras zeroes the ignored rows of y_pred, which makes their probabilities 0/0 = NaN before
    // the final where; ones give the same result with finite gradients for those rows (zero).
    yp = ops::where(ops::expand_dims(valid, a), yp, ops::ones_like(yp));
  }
  // Labels are truncated to integers as Keras's cast to int32 does (float labels are allowed).
  const Tensor indices = ops::cast(labels, DType::int64);
  require_labels_in_range(indices, yp.shape()[a], kName);
  Tensor res;
  if (a == yp.rank() - 1 && (yp.dtype() == DType::float32 || yp.dtype() == DType::float64) && yp.device().is_cpu()) {
    // One kernel each way (CPU only so far); the ops below serve only an outer tape that
    // differentiates the gradient.
    res = ops::detail::sparse_crossentropy(yp, indices, from_logits, kEpsilon, [indices, from_logits, a](const Tensor& p) {
      const Tensor picked = ops::take_along_axis(log_probabilities(p, from_logits, a), ops::expand_dims(indices, a), a);
      return -ops::squeeze(picked, std::vector<int64_t>{a});
    });
  } else {
    const Tensor picked = ops::take_along_axis(log_probabilities(yp, from_logits, a), ops::expand_dims(indices, a), a);
    res = -ops::squeeze(picked, std::vector<int64_t>{a});
  }
  if (ignore_class) res = ops::where(valid, res, ops::zeros_like(res));
  return res;
}

BinaryCrossentropy::BinaryCrossentropy(BinaryCrossentropyOptions options)
    : LossFunctionWrapper(
          [o = options](const Tensor& t, const Tensor& p) {
            return binary_crossentropy(t, p, o.from_logits, o.label_smoothing, o.axis);
          },
          "binary_crossentropy", {options.name, options.reduction}),
      options_(std::move(options)) {}

Config BinaryCrossentropy::get_config() const {
  Config config = Loss::get_config();
  config["from_logits"] = options_.from_logits;
  config["label_smoothing"] = options_.label_smoothing;
  config["axis"] = options_.axis;
  return config;
}

BinaryFocalCrossentropy::BinaryFocalCrossentropy(BinaryFocalCrossentropyOptions options)
    : LossFunctionWrapper(
          [o = options](const Tensor& t, const Tensor& p) {
            return binary_focal_crossentropy(t, p, o.apply_class_balancing, o.alpha, o.gamma, o.from_logits,
                                             o.label_smoothing, o.axis);
          },
          "binary_focal_crossentropy", {options.name, options.reduction}),
      options_(std::move(options)) {}

Config BinaryFocalCrossentropy::get_config() const {
  Config config = Loss::get_config();
  config["from_logits"] = options_.from_logits;
  config["label_smoothing"] = options_.label_smoothing;
  config["axis"] = options_.axis;
  config["apply_class_balancing"] = options_.apply_class_balancing;
  config["alpha"] = options_.alpha;
  config["gamma"] = options_.gamma;
  return config;
}

CategoricalCrossentropy::CategoricalCrossentropy(CategoricalCrossentropyOptions options)
    : LossFunctionWrapper(
          [o = options](const Tensor& t, const Tensor& p) {
            return categorical_crossentropy(t, p, o.from_logits, o.label_smoothing, o.axis);
          },
          "categorical_crossentropy", {options.name, options.reduction}),
      options_(std::move(options)) {}

Config CategoricalCrossentropy::get_config() const {
  Config config = Loss::get_config();
  config["from_logits"] = options_.from_logits;
  config["label_smoothing"] = options_.label_smoothing;
  config["axis"] = options_.axis;
  return config;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options)
    : LossFunctionWrapper(
          [o = options](const Tensor& t, const Tensor& p) {
            return sparse_categorical_crossentropy(t, p, o.from_logits, o.ignore_class);
          },
          "sparse_categorical_crossentropy", {options.name, options.reduction}),
      options_(std::move(options)) {}

Tensor SparseCategoricalCrossentropy::compute_mask(const Tensor& y_true, const Tensor& y_pred) const {
  if (!options_.ignore_class) return Tensor();
  const auto [yt, yp] = squeeze_or_expand_to_same_rank(y_true, y_pred);
  return valid_labels(sparse_labels(yt, yp, -1, "sparse_categorical_crossentropy"), *options_.ignore_class);
}

Config SparseCategoricalCrossentropy::get_config() const {
  Config config = Loss::get_config();
  config["from_logits"] = options_.from_logits;
  config["ignore_class"] = options_.ignore_class ? Config(*options_.ignore_class) : Config(nullptr);
  return config;
}

}  // namespace keras::losses
