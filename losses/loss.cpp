#include <keras/losses/loss.h>

#include <keras/core/ops.h>
#include <keras/losses/detail.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace keras::losses {

namespace {

constexpr std::array<const char*, 5> kReductions = {"sum_over_batch_size", "sum", "mean", "mean_with_sample_weight",
                                                    "none"};

bool is_mean(const std::string& reduction) { return reduction == "mean" || reduction == "sum_over_batch_size"; }

// Keras's apply_mask: the mask joins the sample weights. For the two mean reductions the kept entries
// are scaled by total/valid, so dividing by the number of values divides by the number kept.
Tensor apply_mask(const Tensor& sample_weight, const Tensor& mask, DType dtype, const std::string& reduction) {
  Tensor m = ops::cast(mask, dtype);
  if (is_mean(reduction)) {
    const Tensor total = Tensor::scalar(static_cast<double>(m.size()), dtype);
    m = m * detail::divide_no_nan(total, ops::sum(m));
  }
  if (!sample_weight.defined()) return m;
  auto [m2, sw] = squeeze_or_expand_to_same_rank(m, ops::cast(sample_weight, dtype));
  return sw * m2;
}

// NOTE: Keras 3 multiplies with NumPy broadcasting only, so a (batch,) weight fails against
// (batch, steps) losses; here it scales each sample, as the weights of samples should.
Tensor align_weights(const Tensor& sample_weight, const Tensor& values) {
  const auto& w = sample_weight.shape().dims();
  const auto& v = values.shape().dims();
  if (w.size() < v.size() && !w.empty() && std::equal(w.begin(), w.end(), v.begin())) {
    std::vector<int64_t> dims = w;
    dims.resize(v.size(), 1);
    return ops::reshape(sample_weight, Shape(dims));
  }
  try {
    broadcast_shapes(values.shape(), sample_weight.shape(), "loss");
  } catch (const ValueError&) {
    throw ValueError("Loss: sample_weight of shape " + sample_weight.shape().str() +
                     " cannot weight the losses of shape " + values.shape().str() +
                     ": pass one weight per sample (shape (" + std::to_string(v.empty() ? 1 : v[0]) +
                     ",)) or a weight of the losses' shape");
  }
  return sample_weight;
}

Tensor reduce_values(const Tensor& values, const Tensor& sample_weight, const std::string& reduction) {
  if (reduction == "none" || values.rank() == 0 || values.shape() == Shape{0}) return values;
  Tensor loss = ops::sum(values);
  if (reduction == "sum") return loss;
  if (reduction == "mean_with_sample_weight" && sample_weight.defined()) {
    return detail::divide_no_nan(loss, ops::cast(ops::sum(sample_weight), loss.dtype()));
  }
  const int64_t n = values.size();
  return n > 0 ? loss / static_cast<double>(n) : loss;
}

}  // namespace

void standardize_reduction(const std::string& reduction) {
  if (std::find(kReductions.begin(), kReductions.end(), reduction) != kReductions.end()) return;
  std::string allowed;
  for (const char* r : kReductions) allowed += std::string(allowed.empty() ? "" : ", ") + "'" + r + "'";
  throw ValueError("Invalid value for argument `reduction`. Expected one of {" + allowed +
                   "}. Received: reduction='" + reduction + "'");
}

Loss::Loss(const std::string& default_name, const LossOptions& options)
    : name_(options.name.empty() ? default_name : options.name), reduction_(options.reduction) {
  standardize_reduction(reduction_);
}

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) const {
  if (!y_true.defined() || !y_pred.defined()) {
    throw ValueError("Loss \"" + name_ + "\": " + (y_true.defined() ? "y_pred" : "y_true") +
                     " is undefined; pass a tensor");
  }
  // Keras computes in the loss's dtype (floatx, float32); float64 predictions keep their precision.
  const DType dtype = y_pred.dtype() == DType::float64 ? DType::float64 : DType::float32;
  const Tensor yt = ops::cast(y_true, dtype);
  const Tensor yp = ops::cast(y_pred, dtype);
  return reduce_weighted_values(call(yt, yp), sample_weight, compute_mask(yt, yp), reduction_);
}

Tensor Loss::compute_mask(const Tensor&, const Tensor&) const { return Tensor(); }

Config Loss::get_config() const { return Config{{"name", name_}, {"reduction", reduction_}}; }

LossFunctionWrapper::LossFunctionWrapper(Fn fn, LossOptions options)
    : LossFunctionWrapper(std::move(fn), "loss_function_wrapper", options) {}

LossFunctionWrapper::LossFunctionWrapper(Fn fn, const std::string& default_name, const LossOptions& options)
    : Loss(default_name, options), fn_(std::move(fn)) {
  if (!fn_) throw ValueError("LossFunctionWrapper: the loss function is empty");
}

Tensor LossFunctionWrapper::call(const Tensor& y_true, const Tensor& y_pred) const {
  const auto [yt, yp] = squeeze_or_expand_to_same_rank(y_true, y_pred);
  return fn_(yt, yp);
}

Config LossFunctionWrapper::get_config() const {
  Config config = Loss::get_config();
  config["fn"] = Config{{"module", "builtins"}, {"class_name", "function"}, {"config", name()},
                        {"registered_name", name()}};
  return config;
}

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2, bool expand_rank_1) {
  Tensor a = x1, b = x2;
  const int64_t r1 = a.rank(), r2 = b.rank();
  if (r1 == r2 + 1 && a.shape()[-1] == 1) {
    if (r2 == 1 && expand_rank_1) {
      b = ops::expand_dims(b, -1);
    } else {
      a = ops::squeeze(a, std::vector<int64_t>{-1});
    }
  }
  if (r2 == r1 + 1 && b.shape()[-1] == 1) {
    if (r1 == 1 && expand_rank_1) {
      a = ops::expand_dims(a, -1);
    } else {
      b = ops::squeeze(b, std::vector<int64_t>{-1});
    }
  }
  return {a, b};
}

Tensor reduce_weighted_values(const Tensor& values, const Tensor& sample_weight, const std::string& reduction) {
  return reduce_weighted_values(values, sample_weight, Tensor(), reduction);
}

Tensor reduce_weighted_values(const Tensor& values, const Tensor& sample_weight, const Tensor& mask,
                              const std::string& reduction) {
  standardize_reduction(reduction);
  Tensor v = detail::prediction(values, "reduce_weighted_values");
  Tensor weights = sample_weight;
  if (mask.defined()) weights = apply_mask(weights, mask, v.dtype(), reduction);
  if (weights.defined()) {
    weights = ops::cast(weights, v.dtype());
    std::tie(v, weights) = squeeze_or_expand_to_same_rank(v, weights);
    v = v * align_weights(weights, v);
  }
  return reduce_values(v, weights, reduction);
}

}  // namespace keras::losses
