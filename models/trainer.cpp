// Model's training API: compile, fit, evaluate, predict and the train/test steps (Keras 3's Trainer).
#include <keras/models/model.h>
#include <keras/models/training_state.h>

#include <keras/callbacks/callback_list.h>
#include <keras/core/allocator.h>
#include <keras/core/device_scope.h>
#include <keras/core/function.h>
#include <keras/core/gradient_tape.h>
#include <keras/core/ops.h>
#include <keras/metrics/metrics.h>
#include <keras/optimizers/loss_scale_optimizer.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace keras {

using callbacks::CallbackList;

Model::Training& Model::training(const char* what) const {
  if (!training_->compiled) {
    throw ValueError(std::string("You must call compile() on model \"") + name() + "\" before " + what);
  }
  return *training_;
}

bool Model::compiled() const { return training_->compiled; }
bool Model::stop_training() const { return training_->stop_training; }
void Model::set_stop_training(bool stop) { training_->stop_training = stop; }
void Model::set_initial_epoch(int epoch) {
  if (epoch < 0) throw ValueError("set_initial_epoch: the epoch must be >= 0, got " + std::to_string(epoch));
  training_->initial_epoch = epoch;
}
optimizers::Optimizer& Model::optimizer() const { return *training("using its optimizer").optimizer; }

namespace {

size_t output_count(const Model& model) { return model.is_functional() ? model.outputs().size() : 1; }

// The name Keras gives output i in logs of multi-output models: the output's name.
std::string output_name(const Model& model, size_t i) {
  if (!model.output_names().empty()) return model.output_names()[i];
  return model.outputs()[i].producer()->layer->name();
}

}  // namespace

void Model::compile(CompileOptions options) {
  Training& t = *training_;
  t = Training{};
  t.options = options;
  t.optimizer = options.optimizer.get();
  // Keras: float16 gradients underflow without loss scaling, so compile adds it for mixed_float16.
  if (options.auto_scale_loss && dtype_policy() == "mixed_float16" && t.optimizer &&
      !std::dynamic_pointer_cast<optimizers::LossScaleOptimizer>(t.optimizer)) {
    t.optimizer = std::make_shared<optimizers::LossScaleOptimizer>(
        t.optimizer, optimizers::LossScaleOptimizerOptions{.name = "loss_scale_optimizer"});
  }
  const size_t n = output_count(*this);
  t.losses.assign(n, LossArg());
  if (!options.loss.named().empty()) {
    if (!is_functional()) throw ValueError("compile: losses by output name need a Functional model");
    for (const auto& [key, loss] : options.loss.named()) {
      bool found = false;
      for (size_t i = 0; i < n; ++i) {
        if (output_name(*this, i) == key) {
          t.losses[i] = loss;
          found = true;
        }
      }
      if (!found) {
        std::string names;
        for (size_t i = 0; i < n; ++i) names += (i ? ", " : "") + output_name(*this, i);
        throw ValueError("compile: no output named '" + key + "'; the outputs are: " + names);
      }
    }
  } else if (options.loss.list().size() == 1) {
    t.losses.assign(n, options.loss.list()[0]);  // one loss serves every output
  } else if (!options.loss.list().empty()) {
    if (options.loss.list().size() != n) {
      throw ValueError("compile: received " + std::to_string(options.loss.list().size()) + " losses for a model with " +
                       std::to_string(n) + " outputs");
    }
    t.losses = options.loss.list();
  }
  t.loss_weights = options.loss_weights;
  if (!t.loss_weights.empty() && t.loss_weights.size() != n) {
    throw ValueError("compile: loss_weights has " + std::to_string(t.loss_weights.size()) + " entries for a model with " +
                     std::to_string(n) + " outputs");
  }
  if (t.loss_weights.empty()) t.loss_weights.assign(n, 1.0);
  if (options.steps_per_execution < 1) {
    throw ValueError("compile: steps_per_execution must be >= 1, got " + std::to_string(options.steps_per_execution));
  }
  t.loss_tracker = std::make_shared<metrics::Mean>(metrics::MetricOptions{.name = "loss"});
  t.compiled = true;
}

Config Model::get_compile_config() const {
  if (!training_->compiled) return Config::object();
  const Training& t = *training_;
  Config c;
  Config opt;
  opt["module"] = "keras.optimizers";
  // The optimizer compile was given: an automatic LossScaleOptimizer is added again on loading.
  opt["class_name"] = t.options.optimizer.get()->class_name();
  opt["config"] = t.options.optimizer.get()->get_config();
  opt["registered_name"] = nullptr;
  c["optimizer"] = opt;
  const auto& losses = t.options.loss;
  if (losses.empty()) {
    c["loss"] = nullptr;
  } else if (!losses.named().empty()) {
    Config d = Config::object();
    for (const auto& [k, l] : losses.named()) d[k] = l.to_config();
    c["loss"] = d;
  } else if (losses.list().size() == 1) {
    c["loss"] = losses.list()[0].to_config();
  } else {
    Config l = Config::array();
    for (const LossArg& a : losses.list()) l.push_back(a.to_config());
    c["loss"] = l;
  }
  c["loss_weights"] = t.options.loss_weights.empty() ? Config(nullptr) : Config(t.options.loss_weights);
  auto metric_list = [](const std::vector<MetricArg>& ms) {
    if (ms.empty()) return Config(nullptr);
    Config l = Config::array();
    for (const MetricArg& m : ms) l.push_back(m.to_config());
    return l;
  };
  c["metrics"] = metric_list(t.options.metrics);
  c["weighted_metrics"] = metric_list(t.options.weighted_metrics);
  c["run_eagerly"] = t.options.run_eagerly;
  c["steps_per_execution"] = t.options.steps_per_execution;
  c["jit_compile"] = false;
  return c;
}

namespace {

LossArg loss_from_config(const Config& c) {
  if (c.is_null()) return LossArg();
  return LossArg::from_config(c);
}

std::vector<MetricArg> metrics_from_config(const Config& c, const char* key) {
  std::vector<MetricArg> out;
  if (c.is_null()) return out;
  if (!c.is_array()) {
    throw NotImplementedError(std::string("compile_from_config: `") + key +
                              "` given per output (a dict or nested lists) is not supported; got " + c.dump());
  }
  for (const Config& m : c) {
    if (m.is_array()) {
      throw NotImplementedError(std::string("compile_from_config: `") + key +
                                "` given per output (nested lists) is not supported; got " + c.dump());
    }
    out.push_back(MetricArg::from_config(m));
  }
  return out;
}

}  // namespace

void Model::compile_from_config(const Config& config) {
  if (!config.is_object()) throw ValueError("compile_from_config: expected a dict, got " + config.dump());
  CompileOptions options;
  if (config.contains("optimizer") && !config["optimizer"].is_null()) {
    const Config& opt = config["optimizer"];
    options.optimizer = opt.is_string() ? OptimizerArg(opt.get<std::string>()) : OptimizerArg(optimizers::deserialize(opt));
  }
  if (config.contains("loss")) {
    const Config& loss = config["loss"];
    if (loss.is_array()) {
      std::vector<LossArg> items;
      for (const Config& l : loss) items.push_back(loss_from_config(l));
      options.loss = Losses(std::move(items));
    } else if (loss.is_object() && !loss.contains("class_name")) {
      std::map<std::string, LossArg> named;
      for (const auto& [k, l] : loss.items()) named.emplace(k, loss_from_config(l));
      options.loss = Losses(Named<LossArg>(std::move(named)));
    } else if (!loss.is_null()) {
      options.loss = loss_from_config(loss);
    }
  }
  if (config.contains("loss_weights") && !config["loss_weights"].is_null()) {
    const Config& w = config["loss_weights"];
    if (!w.is_array()) {
      throw NotImplementedError("compile_from_config: loss_weights by output name are not supported; got " + w.dump());
    }
    for (const Config& v : w) options.loss_weights.push_back(v.get<double>());
  }
  if (config.contains("metrics")) options.metrics = metrics_from_config(config["metrics"], "metrics");
  if (config.contains("weighted_metrics")) {
    options.weighted_metrics = metrics_from_config(config["weighted_metrics"], "weighted_metrics");
  }
  if (config.contains("run_eagerly") && config["run_eagerly"].is_boolean()) {
    options.run_eagerly = config["run_eagerly"].get<bool>();
  }
  if (config.contains("steps_per_execution") && config["steps_per_execution"].is_number_integer()) {
    options.steps_per_execution = config["steps_per_execution"].get<int64_t>();
  }
  compile(std::move(options));
  if (built()) optimizer().build(trainable_weights());
}

// ---- Losses and metrics -------------------------------------------------------------------

Tensor Model::compute_loss(const Batch& data, const Tensors& y_pred, bool /*training*/) {
  Training& t = training("computing the loss");
  Tensor total;
  const size_t n = std::min(y_pred.size(), t.losses.size());
  if (data.y.size() < n) {
    throw ValueError("Model \"" + name() + "\" has " + std::to_string(n) + " outputs with losses, but the data has " +
                     std::to_string(data.y.size()) + " targets");
  }
  std::vector<Tensor> per_output;
  for (size_t i = 0; i < n; ++i) {
    if (!t.losses[i].defined()) {
      per_output.push_back(Tensor());
      continue;
    }
    Tensor l = (*t.losses[i])(data.y[i], y_pred[i], data.sample_weight);
    per_output.push_back(l);
    if (t.loss_weights[i] != 1.0) l = l * t.loss_weights[i];
    total = total.defined() ? total + l : l;
  }
  if (n > 1) {
    if (t.output_loss_trackers.empty()) {
      for (size_t i = 0; i < n; ++i) {
        t.output_loss_trackers.push_back(
            std::make_shared<metrics::Mean>(metrics::MetricOptions{.name = output_name(*this, i) + "_loss"}));
      }
    }
    const double batch = static_cast<double>(data.x.at(0).shape()[0]);
    for (size_t i = 0; i < n; ++i) {
      if (per_output[i].defined()) {
        static_cast<metrics::Mean&>(*t.output_loss_trackers[i])
            .update_state(ops::stop_gradient(per_output[i]), Tensor::scalar(batch, per_output[i].dtype()));
      }
    }
  }
  for (const Tensor& reg : losses()) total = total.defined() ? total + reg : reg;
  if (!total.defined()) {
    throw ValueError("Model \"" + name() + "\": compile() was given no loss, and the model adds none; pass loss=...");
  }
  return total;
}

Logs Model::compute_metrics(const Batch& data, const Tensors& y_pred, const Tensor& loss) {
  Training& t = training("computing metrics");
  const double batch = data.x.empty() || data.x[0].rank() == 0 ? 1.0 : static_cast<double>(data.x[0].shape()[0]);
  const size_t n = std::min(y_pred.size(), data.y.size());
  if (!t.metrics_resolved) {
    t.metrics.assign(n, {});
    t.weighted_metrics.assign(n, {});
    for (size_t i = 0; i < n; ++i) {
      const std::string prefix = n > 1 ? output_name(*this, i) + "_" : "";
      auto resolve = [&](const MetricArg& arg) {
        std::shared_ptr<metrics::Metric> m = arg.resolve(data.y[i].shape(), y_pred[i].shape());
        if (!prefix.empty()) m->set_name(prefix + m->name());
        return m;
      };
      for (const MetricArg& arg : t.options.metrics) t.metrics[i].push_back(resolve(arg));
      for (const MetricArg& arg : t.options.weighted_metrics) t.weighted_metrics[i].push_back(resolve(arg));
    }
    t.metrics_resolved = true;
  }
  // Metric state lives with the loss: accumulating on the device needs no copy until logs are read.
  if (!loss.device().is_cpu()) {
    const DeviceScope scope(loss.device());
    for (const auto& m : metrics()) {
      for (Variable v : m->variables()) {
        if (v.has_value() && v.value().device() != loss.device()) v.assign(v.value().to(loss.device()));
      }
    }
  }
  static_cast<metrics::Mean&>(*t.loss_tracker).update_state(ops::stop_gradient(loss), Tensor::scalar(batch, loss.dtype()));
  for (size_t i = 0; i < n; ++i) {
    const Tensor yp = ops::stop_gradient(y_pred[i]);
    for (auto& m : t.metrics[i]) m->update_state(data.y[i], yp);
    for (auto& m : t.weighted_metrics[i]) m->update_state(data.y[i], yp, data.sample_weight);
  }
  // A traced step leaves the results in the metrics' variables; the trainer reads them after it.
  if (graph::tracing()) return {};
  return get_metrics_result();
}

std::vector<std::shared_ptr<metrics::Metric>> Model::metrics() const {
  std::vector<std::shared_ptr<metrics::Metric>> out;
  if (!training_->compiled) return out;
  const Training& t = *training_;
  out.push_back(t.loss_tracker);
  for (const auto& m : t.output_loss_trackers) out.push_back(m);
  for (const auto& ms : t.metrics) out.insert(out.end(), ms.begin(), ms.end());
  for (const auto& ms : t.weighted_metrics) out.insert(out.end(), ms.begin(), ms.end());
  return out;
}

Logs Model::metrics_result_or(const Logs& step_logs) const {
  // Keras: a custom train_step may return other logs than the metrics; then its last logs stand.
  Logs metric_logs = get_metrics_result();
  if (metric_logs.size() != step_logs.size()) return step_logs;
  for (const auto& [k, v] : step_logs) {
    if (!metric_logs.count(k)) return step_logs;
  }
  return metric_logs;
}

Logs Model::get_metrics_result() const {
  Logs logs;
  for (const auto& m : metrics()) {
    const Tensor r = m->result();
    if (r.size() == 1) logs[m->name()] = r.item<double>();
  }
  return logs;
}

void Model::reset_metrics() {
  for (const auto& m : metrics()) m->reset_state();
}

// ---- Steps --------------------------------------------------------------------------------

Logs Model::train_step(const Batch& data) {
  Training& t = training("training");
  const std::vector<Variable> weights = trainable_weights();
  Tensor loss;
  Tensors y_pred;
  Tensors grads;
  {
    GradientTape tape;
    y_pred = (*this)(data.x, true);
    loss = compute_loss(data, y_pred, true);
    grads = tape.gradient(t.optimizer->scale_loss(loss), weights);
  }
  t.optimizer->apply_gradients(grads, weights);
  return compute_metrics(data, y_pred, loss);
}

Logs Model::test_step(const Batch& data) {
  const Tensors y_pred = (*this)(data.x, false);
  const Tensor loss = compute_loss(data, y_pred, false);
  return compute_metrics(data, y_pred, loss);
}

Logs Model::train_on_batch(const Tensors& x, const Tensors& y, const Tensor& sample_weight) {
  training("train_on_batch");
  return train_step({x, y, sample_weight});
}

Logs Model::test_on_batch(const Tensors& x, const Tensors& y, const Tensor& sample_weight) {
  training("test_on_batch");
  return test_step({x, y, sample_weight});
}

Tensors Model::predict_on_batch(const Tensors& x) { return (*this)(x, false); }

// ---- Steps as keras::functions ----------------------------------------------------------------

namespace {

// The steps' batches as one argument list: each batch's x, then its y, then its sample weight.
Tensors pack(const std::vector<Batch>& batches) {
  Tensors args;
  for (const Batch& b : batches) {
    args.insert(args.end(), b.x.begin(), b.x.end());
    args.insert(args.end(), b.y.begin(), b.y.end());
    args.push_back(b.sample_weight);
  }
  return args;
}

std::vector<Batch> unpack(const Tensors& args, const std::pair<size_t, size_t>& layout) {
  const size_t per_step = layout.first + layout.second + 1;
  std::vector<Batch> batches;
  for (size_t at = 0; at + per_step <= args.size(); at += per_step) {
    const auto first = args.begin() + static_cast<int64_t>(at);
    Batch b;
    b.x.assign(first, first + static_cast<int64_t>(layout.first));
    b.y.assign(first + static_cast<int64_t>(layout.first), first + static_cast<int64_t>(layout.first + layout.second));
    b.sample_weight = first[static_cast<int64_t>(per_step - 1)];
    batches.push_back(std::move(b));
  }
  return batches;
}

std::pair<size_t, size_t> layout_of(const Batch& b) { return {b.x.size(), b.y.size()}; }

// Batches that pack alike (as many inputs and targets, sample weights in all or none), in runs of
// consecutive ones: each run is one call of the step function.
std::vector<std::vector<Batch>> runs_of_one_layout(const std::vector<Batch>& batches) {
  std::vector<std::vector<Batch>> runs;
  for (const Batch& b : batches) {
    const bool same = !runs.empty() && layout_of(runs.back().front()) == layout_of(b) &&
                      runs.back().front().sample_weight.defined() == b.sample_weight.defined();
    if (!same) runs.emplace_back();
    runs.back().push_back(b);
  }
  return runs;
}

}  // namespace

Function& Model::train_function() {
  Training& t = training("train_function");
  if (t.options.run_eagerly) throw ValueError("train_function: the model was compiled with run_eagerly = true");
  if (!t.train_function) {
    // Slots are created before tracing, so that the graph only updates them.
    if (built() && !t.optimizer->built()) t.optimizer->build(trainable_weights());
    auto layout = t.batch_layout;
    auto logs = t.step_logs;
    // Keras's multi_step_on_iterator: the steps of one execution, traced as one graph.
    t.train_function = std::make_shared<Function>(
        [this, layout, logs](const Tensors& args) {
          for (const Batch& b : unpack(args, *layout)) *logs = train_step(b);
          return Tensors{};
        },
        FunctionOptions{.name = "train_step", .eager_fallback = true});
  }
  return *t.train_function;
}

Logs Model::run_train_steps(const std::vector<Batch>& batches) {
  const memory::RecurringScope recurring;
  Training& t = training("training");
  Logs logs;
  size_t next = 0;
  // An unbuilt model creates its weights on its first step: eagerly, so that no graph initialises them.
  while (next < batches.size() && (t.options.run_eagerly || !built())) logs = train_step(batches[next++]);
  if (next == batches.size()) return logs;
  Function& fn = train_function();
  for (const std::vector<Batch>& run : runs_of_one_layout({batches.begin() + static_cast<int64_t>(next), batches.end()})) {
    *t.batch_layout = layout_of(run.front());
    fn(pack(run));
  }
  return fn.ran_eagerly() ? *t.step_logs : get_metrics_result();
}

Logs Model::run_test_steps(const std::vector<Batch>& batches) {
  const memory::RecurringScope recurring;
  Training& t = training("evaluating");
  Logs logs;
  size_t next = 0;
  while (next < batches.size() && (t.options.run_eagerly || !built())) logs = test_step(batches[next++]);
  if (next == batches.size()) return logs;
  if (!t.test_function) {
    auto layout = t.batch_layout;
    auto step_logs = t.step_logs;
    t.test_function = std::make_shared<Function>(
        [this, layout, step_logs](const Tensors& args) {
          for (const Batch& b : unpack(args, *layout)) *step_logs = test_step(b);
          return Tensors{};
        },
        FunctionOptions{.name = "test_step", .eager_fallback = true});
  }
  for (const std::vector<Batch>& run : runs_of_one_layout({batches.begin() + static_cast<int64_t>(next), batches.end()})) {
    *t.batch_layout = layout_of(run.front());
    (*t.test_function)(pack(run));
  }
  return t.test_function->ran_eagerly() ? *t.step_logs : get_metrics_result();
}

std::vector<Tensors> Model::run_predict_steps(const std::vector<Tensors>& xs) {
  const memory::RecurringScope recurring;
  std::vector<Tensors> outputs;
  if (xs.empty()) return outputs;
  // predict() works on uncompiled models too; they run eagerly unless compiled for graphs.
  if (!training_->compiled || training_->options.run_eagerly || !built()) {
    for (const Tensors& x : xs) outputs.push_back(predict_on_batch(x));
    return outputs;
  }
  Training& t = *training_;
  if (!t.predict_function) {
    // The steps' inputs, concatenated; the outputs of every step, concatenated.
    const size_t inputs = xs.front().size();
    t.predict_function = std::make_shared<Function>(
        [this, inputs](const Tensors& args) {
          Tensors out;
          for (size_t at = 0; at + inputs <= args.size(); at += inputs) {
            const Tensors step = predict_on_batch(Tensors(args.begin() + static_cast<int64_t>(at),
                                                          args.begin() + static_cast<int64_t>(at + inputs)));
            out.insert(out.end(), step.begin(), step.end());
          }
          return out;
        },
        FunctionOptions{.name = "predict_step", .eager_fallback = true});
  }
  Tensors args;
  for (const Tensors& x : xs) {
    if (x.size() != xs.front().size()) {
      throw ValueError("predict: every batch must have " + std::to_string(xs.front().size()) + " inputs, got " +
                       std::to_string(x.size()));
    }
    args.insert(args.end(), x.begin(), x.end());
  }
  const Tensors flat = (*t.predict_function)(args);
  const size_t per_step = flat.size() / xs.size();
  for (size_t i = 0; i < xs.size(); ++i) {
    outputs.emplace_back(flat.begin() + static_cast<int64_t>(i * per_step), flat.begin() + static_cast<int64_t>((i + 1) * per_step));
  }
  return outputs;
}

// ---- Data ---------------------------------------------------------------------------------

namespace {

int64_t num_samples(const Tensors& xs, const char* who) {
  if (xs.empty() || xs[0].rank() == 0) throw ValueError(std::string(who) + ": expected input tensors with a batch axis");
  const int64_t n = xs[0].shape()[0];
  for (const Tensor& t : xs) {
    if (t.rank() == 0 || t.shape()[0] != n) {
      throw ValueError(std::string(who) + ": all arrays must have the same number of samples (axis 0); got shapes " +
                       xs[0].shape().str() + " and " + t.shape().str());
    }
  }
  return n;
}

Tensors rows(const Tensors& ts, int64_t begin, int64_t end) {
  Tensors out;
  for (const Tensor& t : ts) {
    std::vector<int64_t> start(static_cast<size_t>(t.rank()), 0), size = t.shape().dims();
    start[0] = begin;
    size[0] = end - begin;
    out.push_back(ops::slice(t, start, size));
  }
  return out;
}

Tensor rows(const Tensor& t, int64_t begin, int64_t end) { return t.defined() ? rows(Tensors{t}, begin, end)[0] : t; }

// Class weights become per-sample weights: the weight of each sample's class (its index, or the
// argmax of a one-hot/probability target), multiplied into any sample weights.
Tensor apply_class_weight(const std::map<int64_t, double>& class_weight, const Tensor& y, const Tensor& sample_weight) {
  if (class_weight.empty()) return sample_weight;
  Tensor classes = y.rank() >= 2 && y.shape()[-1] > 1 ? ops::argmax(y, -1) : ops::reshape(y, Shape{y.shape()[0]});
  const std::vector<int64_t> ids = classes.to_vector<int64_t>();
  std::vector<float> w(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = class_weight.find(ids[i]);
    w[i] = it == class_weight.end() ? 1.0f : static_cast<float>(it->second);
  }
  Tensor cw = Tensor::from_vector(w);
  return sample_weight.defined() ? ops::multiply(ops::reshape(sample_weight, Shape{static_cast<int64_t>(w.size())}).astype(DType::float32), cw)
                                 : cw;
}

}  // namespace

namespace detail {

// Batches of one epoch, from tensors (shuffled by index when asked) or from a Dataset.
class EpochBatches {
 public:
  virtual ~EpochBatches() = default;
  virtual std::optional<Batch> next() = 0;
  virtual std::optional<int64_t> steps() const = 0;
};

class TensorBatches final : public EpochBatches {
 public:
  TensorBatches(const Tensors& x, const Tensors& y, const Tensor& sw, int64_t batch_size, bool shuffle,
                std::mt19937_64* rng, std::optional<int64_t> max_steps)
      : x_(x), y_(y), sw_(sw), batch_(batch_size), n_(num_samples(x, "fit")), max_steps_(max_steps) {
    if (shuffle && rng) {
      order_.resize(static_cast<size_t>(n_));
      std::iota(order_.begin(), order_.end(), int64_t{0});
      std::shuffle(order_.begin(), order_.end(), *rng);
    }
  }
  std::optional<Batch> next() override {
    if (max_steps_ && step_ >= *max_steps_) return std::nullopt;
    if (pos_ >= n_) return std::nullopt;
    const int64_t end = std::min(n_, pos_ + batch_);
    Batch b;
    if (order_.empty()) {
      b = {rows(x_, pos_, end), rows(y_, pos_, end), rows(sw_, pos_, end)};
    } else {
      const Tensor idx = Tensor::from_vector(std::vector<int64_t>(order_.begin() + pos_, order_.begin() + end));
      for (const Tensor& t : x_) b.x.push_back(ops::take(t, idx, 0));
      for (const Tensor& t : y_) b.y.push_back(ops::take(t, idx, 0));
      if (sw_.defined()) b.sample_weight = ops::take(sw_, idx, 0);
    }
    pos_ = end;
    ++step_;
    return b;
  }
  std::optional<int64_t> steps() const override {
    const int64_t all = (n_ + batch_ - 1) / batch_;
    return max_steps_ ? std::min(all, *max_steps_) : all;
  }

 private:
  Tensors x_, y_;
  Tensor sw_;
  int64_t batch_, n_, pos_ = 0, step_ = 0;
  std::vector<int64_t> order_;
  std::optional<int64_t> max_steps_;
};

class DatasetBatches final : public EpochBatches {
 public:
  DatasetBatches(data::Dataset::Iterator* it, size_t n_inputs, size_t n_outputs, std::optional<int64_t> max_steps,
                 std::optional<int64_t> cardinality)
      : it_(it), n_in_(n_inputs), n_out_(n_outputs), max_steps_(max_steps), cardinality_(cardinality) {}
  std::optional<Batch> next() override {
    if (max_steps_ && step_ >= *max_steps_) return std::nullopt;
    std::optional<data::Element> e = it_->next();
    if (!e) return std::nullopt;
    ++step_;
    const size_t n = e->size();
    if (n != n_in_ + n_out_ && n != n_in_ + n_out_ + 1 && n != n_in_) {
      throw ValueError("A Dataset element has " + std::to_string(n) + " components; the model expects " +
                       std::to_string(n_in_) + " input(s) and " + std::to_string(n_out_) +
                       " target(s), optionally followed by sample weights");
    }
    Batch b;
    b.x.assign(e->begin(), e->begin() + static_cast<int64_t>(n_in_));
    if (n > n_in_) b.y.assign(e->begin() + static_cast<int64_t>(n_in_), e->begin() + static_cast<int64_t>(n_in_ + n_out_));
    if (n == n_in_ + n_out_ + 1) b.sample_weight = e->back();
    return b;
  }
  std::optional<int64_t> steps() const override {
    if (max_steps_ && cardinality_) return std::min(*max_steps_, *cardinality_);
    return max_steps_ ? max_steps_ : cardinality_;
  }

 private:
  data::Dataset::Iterator* it_;
  size_t n_in_, n_out_;
  std::optional<int64_t> max_steps_;
  std::optional<int64_t> cardinality_;
  int64_t step_ = 0;
};

// Batches moved to the model's device one step ahead: the next batch's host-to-device copy is queued
// (through pinned staging, kernels/device_memory.h) before the current step's kernels, so the host
// never waits for a transfer and the step's data is on the device when its kernels run.
class DeviceBatches final : public EpochBatches {
 public:
  DeviceBatches(std::unique_ptr<EpochBatches> source, Device device) : source_(std::move(source)), device_(device) {}
  std::optional<Batch> next() override {
    if (!primed_) {
      ahead_ = fetch();
      primed_ = true;
    }
    std::optional<Batch> current = std::move(ahead_);
    ahead_ = current ? fetch() : std::nullopt;
    return current;
  }
  std::optional<int64_t> steps() const override { return source_->steps(); }

 private:
  std::optional<Batch> fetch() {
    std::optional<Batch> b = source_->next();
    if (!b) return b;
    for (Tensor& t : b->x) t = t.to(device_);
    for (Tensor& t : b->y) t = t.to(device_);
    if (b->sample_weight.defined()) b->sample_weight = b->sample_weight.to(device_);
    return b;
  }

  std::unique_ptr<EpochBatches> source_;
  Device device_;
  bool primed_ = false;
  std::optional<Batch> ahead_;
};

/// `batches`, moved to `device` ahead of use when that is not the cpu.
std::unique_ptr<EpochBatches> on_device(std::unique_ptr<EpochBatches> batches, Device device) {
  if (device.is_cpu()) return batches;
  return std::make_unique<DeviceBatches>(std::move(batches), device);
}

}  // namespace detail

namespace {

using detail::DatasetBatches;
using detail::EpochBatches;
using detail::TensorBatches;

size_t input_count(const Model& model) { return model.is_functional() ? model.inputs().size() : 1; }

std::mt19937_64 make_rng() {
  // Seeded from keras's global generator, so keras::utils::set_random_seed makes shuffles repeat.
  const Tensor r = random::uniform({2}, {.minval = 0.0, .maxval = 4294967296.0, .dtype = DType::float64});
  const auto v = r.to_vector<double>();
  return std::mt19937_64((static_cast<uint64_t>(v[0]) << 32) ^ static_cast<uint64_t>(v[1]));
}

}  // namespace

// ---- Placement ----------------------------------------------------------------------------

Model& Model::to(Device device) {
  check_device_available(device);
  if (!built()) {
    throw ValueError("Model \"" + name() + "\" has no weights to move yet: build it first (call it, or build()), or "
                     "create and build it inside a DeviceScope");
  }
  // Inside the scope, assigning a value on `device` moves each Variable there (core/device_scope.h).
  const DeviceScope scope(device);
  auto move = [device](Variable v) {
    if (v.has_value()) v.assign(v.value().to(device));
  };
  for (const Variable& v : weights()) move(v);
  if (training_->compiled) {
    // The step counter and learning rate stay on the host, which reads them every step.
    for (const Variable& v : training_->optimizer->variables()) {
      if (v.name() != "iteration" && v.name() != "learning_rate") move(v);
    }
    for (const auto& m : metrics()) {
      for (const Variable& v : m->variables()) move(v);
    }
  }
  return *this;
}

Device Model::device() const {
  for (const Variable& v : weights()) {
    if (v.has_value()) return v.value().device();
  }
  return default_device();
}

// ---- fit / evaluate ------------------------------------------------------------------------

namespace {

// Runs one pass of test steps; shared by evaluate() and fit()'s validation.
Logs run_test_epoch(Model& model, EpochBatches& source, CallbackList& callbacks, int64_t per_exec) {
  const Device device = model.device();
  const DeviceScope scope(device);
  std::unique_ptr<EpochBatches> moved;
  if (!device.is_cpu()) {
    // Borrowed: the caller owns `source`, the wrapper only reads from it.
    struct Borrowed final : EpochBatches {
      explicit Borrowed(EpochBatches& b) : b_(b) {}
      std::optional<Batch> next() override { return b_.next(); }
      std::optional<int64_t> steps() const override { return b_.steps(); }
      EpochBatches& b_;
    };
    moved = detail::on_device(std::make_unique<Borrowed>(source), device);
  }
  EpochBatches& batches = moved ? *moved : source;
  model.reset_metrics();
  Logs logs;
  callbacks.on_test_begin(logs);
  int64_t step = 0;
  Logs last_logs;
  // As fit: one execution of steps_per_execution steps between the batch hooks.
  while (true) {
    std::vector<Batch> group;
    for (int64_t k = 0; k < per_exec; ++k) {
      std::optional<Batch> batch = batches.next();
      if (!batch) break;
      group.push_back(std::move(*batch));
    }
    if (group.empty()) break;
    Logs batch_logs;
    callbacks.on_test_batch_begin(step, batch_logs);
    batch_logs = model.run_test_steps(group);
    step += static_cast<int64_t>(group.size());
    last_logs = batch_logs;
    callbacks.on_test_batch_end(step - 1, batch_logs);
  }
  if (step == 0) throw ValueError("evaluate: the data produced no batches");
  logs = model.metrics_result_or(last_logs);
  callbacks.on_test_end(logs);
  return logs;
}

}  // namespace

History Model::fit(const Tensor& x, const Tensor& y, FitOptions options) {
  return fit(Tensors{x}, Tensors{y}, std::move(options));
}

History Model::fit(const Tensors& x_all, const Tensors& y_all, FitOptions options) {
  const memory::LoopScope loop;
  training("fit");
  const int64_t n = num_samples(x_all, "fit");
  if (!y_all.empty() && num_samples(y_all, "fit") != n) {
    throw ValueError("fit: x has " + std::to_string(n) + " samples but y has " + std::to_string(y_all[0].shape()[0]));
  }
  if (options.sample_weight.defined() && options.sample_weight.shape()[0] != n) {
    throw ValueError("fit: sample_weight has " + std::to_string(options.sample_weight.shape()[0]) + " samples, x has " +
                     std::to_string(n));
  }
  if (options.validation_split < 0 || options.validation_split >= 1) {
    throw ValueError("fit: validation_split must be in [0, 1), got " + std::to_string(options.validation_split));
  }
  const int64_t batch_size = options.batch_size.value_or(32);
  if (batch_size <= 0) throw ValueError("fit: batch_size must be positive, got " + std::to_string(batch_size));

  Tensors x = x_all, y = y_all, vx, vy;
  Tensor sw = options.sample_weight, vsw;
  if (options.validation_split > 0) {
    if (options.validation_data.given()) throw ValueError("fit: pass validation_split or validation_data, not both");
    // Keras takes the last fraction of the samples, before any shuffling.
    const int64_t split = static_cast<int64_t>(std::floor(static_cast<double>(n) * (1.0 - options.validation_split)));
    if (split <= 0 || split >= n) {
      throw ValueError("fit: validation_split=" + std::to_string(options.validation_split) + " leaves no samples on one side of " +
                       std::to_string(n));
    }
    vx = rows(x_all, split, n);
    vy = rows(y_all, split, n);
    vsw = rows(options.sample_weight, split, n);
    x = rows(x_all, 0, split);
    y = rows(y_all, 0, split);
    sw = rows(options.sample_weight, 0, split);
  } else if (options.validation_data.given() && !options.validation_data.dataset()) {
    vx = options.validation_data.x();
    vy = options.validation_data.y();
    vsw = options.validation_data.sample_weight();
  }
  if (!options.class_weight.empty()) {
    if (y.size() != 1) throw ValueError("fit: class_weight is only supported for models with a single output");
    sw = apply_class_weight(options.class_weight, y[0], sw);
  }

  if (!built()) {
    // Keras builds the model before the callbacks start, so they can see its weights.
    std::vector<Shape> shapes;
    for (const Tensor& t : x) {
      std::vector<int64_t> dims = t.shape().dims();
      dims[0] = None;
      shapes.push_back(Shape(dims));
    }
    build_from_config(shapes);
  }
  std::mt19937_64 rng = make_rng();
  const int64_t train_steps = (x[0].shape()[0] + batch_size - 1) / batch_size;
  const int64_t steps = options.steps_per_epoch ? std::min(*options.steps_per_epoch, train_steps) : train_steps;
  CallbackList callbacks(options.callbacks, this, {.verbose = options.verbose, .epochs = options.epochs, .steps = steps},
                         true, options.verbose != 0);
  auto make_train = [&] {
    return std::make_unique<TensorBatches>(x, y, sw, batch_size, options.shuffle, &rng, options.steps_per_epoch);
  };
  std::function<std::unique_ptr<EpochBatches>()> make_val;
  std::shared_ptr<data::Dataset::Iterator> val_iter;
  if (!vx.empty()) {
    const int64_t vb = options.validation_batch_size.value_or(batch_size);
    make_val = [=] { return std::make_unique<TensorBatches>(vx, vy, vsw, vb, false, nullptr, options.validation_steps); };
  } else if (options.validation_data.dataset()) {
    const auto ds = options.validation_data.dataset();
    make_val = [this, ds, &val_iter, &options]() -> std::unique_ptr<EpochBatches> {
      val_iter = std::make_shared<data::Dataset::Iterator>(ds->iterate());
      return std::make_unique<DatasetBatches>(val_iter.get(), input_count(*this), output_count(*this),
                                              options.validation_steps, ds->cardinality());
    };
  }
  return run_fit(make_train, make_val, options, callbacks);
}

History Model::fit(const data::Dataset& dataset, FitOptions options) {
  const memory::LoopScope loop;
  training("fit");
  if (options.validation_split > 0) {
    throw ValueError("fit: validation_split is not supported with a Dataset, as in Keras; pass validation_data");
  }
  if (options.sample_weight.defined()) {
    throw ValueError("fit: sample_weight is not supported with a Dataset; put the weights in its elements");
  }
  const std::optional<int64_t> card = dataset.cardinality();
  const std::optional<int64_t> steps =
      options.steps_per_epoch ? (card ? std::min(*options.steps_per_epoch, *card) : *options.steps_per_epoch) : card;
  CallbackList callbacks(options.callbacks, this, {.verbose = options.verbose, .epochs = options.epochs, .steps = steps},
                         true, options.verbose != 0);
  // With steps_per_epoch, Keras keeps drawing from one iterator across epochs; otherwise each epoch is a pass.
  std::shared_ptr<data::Dataset::Iterator> iter;
  auto make_train = [&]() -> std::unique_ptr<EpochBatches> {
    if (!iter || !options.steps_per_epoch) iter = std::make_shared<data::Dataset::Iterator>(dataset.iterate());
    return std::make_unique<DatasetBatches>(iter.get(), input_count(*this), output_count(*this), options.steps_per_epoch,
                                            card);
  };
  std::function<std::unique_ptr<EpochBatches>()> make_val;
  std::shared_ptr<data::Dataset::Iterator> val_iter;
  if (options.validation_data.given()) {
    if (options.validation_data.dataset()) {
      const auto ds = options.validation_data.dataset();
      make_val = [this, ds, &val_iter, &options]() -> std::unique_ptr<EpochBatches> {
        val_iter = std::make_shared<data::Dataset::Iterator>(ds->iterate());
        return std::make_unique<DatasetBatches>(val_iter.get(), input_count(*this), output_count(*this),
                                                options.validation_steps, ds->cardinality());
      };
    } else {
      const ValidationData vd = options.validation_data;
      const int64_t vb = options.validation_batch_size.value_or(options.batch_size.value_or(32));
      make_val = [vd, vb, &options] {
        return std::make_unique<TensorBatches>(vd.x(), vd.y(), vd.sample_weight(), vb, false, nullptr,
                                               options.validation_steps);
      };
    }
  }
  return run_fit(make_train, make_val, options, callbacks);
}

History Model::run_fit(const std::function<std::unique_ptr<detail::EpochBatches>()>& make_train,
                       const std::function<std::unique_ptr<detail::EpochBatches>()>& make_val, const FitOptions& options,
                       callbacks::CallbackList& callbacks) {
  Training& t = training("fit");
  if (options.epochs < 0 || options.initial_epoch < 0) throw ValueError("fit: epochs and initial_epoch must be >= 0");
  if (options.validation_freq < 1) throw ValueError("fit: validation_freq must be >= 1");
  t.stop_training = false;
  // Steps run where the model is: batches go there, and tensors the step creates default to it.
  const Device device = this->device();
  const DeviceScope scope(device);
  Logs training_logs;
  t.initial_epoch.reset();
  callbacks.on_train_begin(training_logs);
  // As Keras's `self._initial_epoch or initial_epoch`: a callback may move the start.
  const int initial_epoch = t.initial_epoch.value_or(0) ? *t.initial_epoch : options.initial_epoch;
  t.initial_epoch.reset();
  const int64_t per_exec = t.options.steps_per_execution;
  for (int epoch = initial_epoch; epoch < options.epochs; ++epoch) {
    reset_metrics();
    Logs epoch_logs;
    callbacks.on_epoch_begin(epoch, epoch_logs);
    auto batches = detail::on_device(make_train(), device);
    int64_t step = 0;
    bool any = false;
    Logs last_logs;
    while (true) {
      // Keras calls the batch hooks once per execution of steps_per_execution steps.
      Logs logs;
      std::vector<Batch> group;
      for (int64_t k = 0; k < per_exec; ++k) {
        std::optional<Batch> batch = batches->next();
        if (!batch) break;
        group.push_back(std::move(*batch));
      }
      if (group.empty()) break;
      callbacks.on_train_batch_begin(step, logs);
      logs = run_train_steps(group);
      step += static_cast<int64_t>(group.size());
      any = true;
      last_logs = logs;
      callbacks.on_train_batch_end(step - 1, logs);
      if (t.stop_training) break;
    }
    if (!any) throw ValueError("fit: the training data produced no batches");
    epoch_logs = metrics_result_or(last_logs);
    if (make_val && (epoch + 1) % options.validation_freq == 0) {
      auto val = make_val();
      const Logs val_logs = run_test_epoch(*this, *val, callbacks, t.options.steps_per_execution);
      for (const auto& [k, v] : val_logs) epoch_logs["val_" + k] = v;
    }
    callbacks.on_epoch_end(epoch, epoch_logs);
    training_logs = epoch_logs;
    if (t.stop_training) break;
  }
  if (t.optimizer && options.epochs > initial_epoch) t.optimizer->finalize_variable_values(trainable_weights());
  callbacks.on_train_end(training_logs);
  return callbacks.history();
}

Logs Model::evaluate(const Tensor& x, const Tensor& y, EvaluateOptions options) {
  return evaluate(Tensors{x}, Tensors{y}, std::move(options));
}

Logs Model::evaluate(const Tensors& x, const Tensors& y, EvaluateOptions options) {
  const memory::LoopScope loop;
  training("evaluate");
  const int64_t batch_size = options.batch_size.value_or(32);
  if (batch_size <= 0) throw ValueError("evaluate: batch_size must be positive, got " + std::to_string(batch_size));
  TensorBatches batches(x, y, options.sample_weight, batch_size, false, nullptr, options.steps);
  CallbackList callbacks(options.callbacks, this, {.verbose = options.verbose, .epochs = 1, .steps = batches.steps()},
                         false, options.verbose != 0);
  return run_test_epoch(*this, batches, callbacks, training_->options.steps_per_execution);
}

Logs Model::evaluate(const data::Dataset& dataset, EvaluateOptions options) {
  const memory::LoopScope loop;
  training("evaluate");
  data::Dataset::Iterator it = dataset.iterate();
  DatasetBatches batches(&it, input_count(*this), output_count(*this), options.steps, dataset.cardinality());
  CallbackList callbacks(options.callbacks, this, {.verbose = options.verbose, .epochs = 1, .steps = batches.steps()},
                         false, options.verbose != 0);
  return run_test_epoch(*this, batches, callbacks, training_->options.steps_per_execution);
}

Tensors Model::predict(const Tensors& x, PredictOptions options) {
  const memory::LoopScope loop;
  if (x.empty()) throw ValueError("predict: received no input tensors");
  if (options.batch_size <= 0) throw ValueError("predict: batch_size must be positive, got " + std::to_string(options.batch_size));
  const int64_t n = num_samples(x, "predict");
  int64_t steps = (n + options.batch_size - 1) / options.batch_size;
  if (options.steps) steps = std::min(steps, *options.steps);
  CallbackList callbacks(options.callbacks, this, {.verbose = options.verbose, .epochs = 1, .steps = steps}, false,
                         options.verbose != 0);
  Logs logs;
  callbacks.on_predict_begin(logs);
  const Device device = this->device();
  const DeviceScope scope(device);
  // Each batch on the model's device, the next one's copy queued before this one runs.
  auto batch_at = [&](int64_t step) {
    const int64_t begin = step * options.batch_size, end = std::min(n, begin + options.batch_size);
    Tensors b = rows(x, begin, end);
    for (Tensor& t : b) t = t.to(device);
    return b;
  };
  // As fit: one execution of steps_per_execution steps between the batch hooks.
  const int64_t per_exec = training_->compiled ? training_->options.steps_per_execution : 1;
  std::vector<Tensors> chunks;  // per output
  std::vector<Tensors> ahead;
  auto group_at = [&](int64_t first) {
    std::vector<Tensors> group;
    for (int64_t step = first; step < std::min(steps, first + per_exec); ++step) group.push_back(batch_at(step));
    return group;
  };
  if (steps > 0) ahead = group_at(0);
  for (int64_t first = 0; first < steps; first += per_exec) {
    std::vector<Tensors> current = std::move(ahead);
    if (first + per_exec < steps) ahead = group_at(first + per_exec);
    Logs batch_logs;
    callbacks.on_predict_batch_begin(first, batch_logs);
    for (const Tensors& out : run_predict_steps(current)) {
      if (chunks.empty()) chunks.resize(out.size());
      for (size_t i = 0; i < out.size(); ++i) chunks[i].push_back(out[i]);
    }
    callbacks.on_predict_batch_end(first + static_cast<int64_t>(current.size()) - 1, batch_logs);
  }
  callbacks.on_predict_end(logs);
  Tensors result;
  // On the host, as Keras returns NumPy arrays: one copy of the whole result.
  for (const Tensors& c : chunks) result.push_back((c.size() == 1 ? c[0] : ops::concatenate(c, 0)).to(Device::cpu()));
  return result;
}

Tensor Model::predict(const Tensor& x, PredictOptions options) {
  Tensors out = predict(Tensors{x}, std::move(options));
  if (out.size() != 1) throw ValueError("predict: the model has several outputs; pass a list of inputs");
  return out[0];
}

}  // namespace keras
