#include <keras/optimizers/schedules.h>

#include <keras/core/errors.h>
#include <keras/optimizers/detail.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace keras::optimizers::schedules {

namespace {
void require_positive(int64_t steps, const char* argument) {
  if (steps <= 0) {
    throw ValueError(std::string("Argument `") + argument + "` must be > 0. Received: " + argument + "=" +
                     std::to_string(steps));
  }
}
}  // namespace

ExponentialDecay::ExponentialDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate,
                                   ExponentialDecayOptions options)
    : initial_learning_rate_(initial_learning_rate),
      decay_steps_(decay_steps),
      decay_rate_(decay_rate),
      options_(std::move(options)) {
  require_positive(decay_steps_, "decay_steps");
}

double ExponentialDecay::operator()(int64_t step) const {
  double p = static_cast<double>(step) / static_cast<double>(decay_steps_);
  if (options_.staircase) p = std::floor(p);
  return initial_learning_rate_ * std::pow(decay_rate_, p);
}

Config ExponentialDecay::get_config() const {
  return Config{{"initial_learning_rate", initial_learning_rate_}, {"decay_steps", decay_steps_},
                {"decay_rate", decay_rate_}, {"staircase", options_.staircase}, {"name", options_.name}};
}

ExponentialDecay ExponentialDecay::from_config(const Config& config) {
  detail::ConfigReader r(config, "ExponentialDecay");
  ExponentialDecayOptions o;
  const double lr = r.required_number("initial_learning_rate");
  const int64_t steps = r.required_integer("decay_steps");
  const double rate = r.required_number("decay_rate");
  o.staircase = r.boolean("staircase", o.staircase);
  o.name = r.string("name", o.name);
  r.finish();
  return ExponentialDecay(lr, steps, rate, o);
}

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values,
                                               PiecewiseConstantDecayOptions options)
    : boundaries_(std::move(boundaries)), values_(std::move(values)), options_(std::move(options)) {
  if (values_.empty() || boundaries_.size() != values_.size() - 1) {
    throw ValueError("The length of boundaries should be 1 less than the length of values. Received: boundaries "
                     "of length " + std::to_string(boundaries_.size()) + ", and values of length " +
                     std::to_string(values_.size()) + ".");
  }
  for (size_t i = 1; i < boundaries_.size(); ++i) {
    if (boundaries_[i] <= boundaries_[i - 1]) {
      throw ValueError("PiecewiseConstantDecay: boundaries must be strictly increasing, got " +
                       Config(boundaries_).dump());
    }
  }
}

double PiecewiseConstantDecay::operator()(int64_t step) const {
  // values[i] for the first boundary at or beyond the step (Keras sums one-hot interval masks).
  const auto it = std::lower_bound(boundaries_.begin(), boundaries_.end(), step);
  return values_[static_cast<size_t>(it - boundaries_.begin())];
}

Config PiecewiseConstantDecay::get_config() const {
  return Config{{"boundaries", boundaries_}, {"values", values_}, {"name", options_.name}};
}

PiecewiseConstantDecay PiecewiseConstantDecay::from_config(const Config& config) {
  detail::ConfigReader r(config, "PiecewiseConstantDecay");
  const Config& b = r.raw("boundaries");
  const Config& v = r.raw("values");
  if (!b.is_array() || !v.is_array()) {
    throw ValueError("PiecewiseConstantDecay: config keys 'boundaries' and 'values' must be lists, got " + b.dump() +
                     " and " + v.dump());
  }
  std::vector<int64_t> boundaries;
  for (const Config& x : b) {
    if (!x.is_number()) throw ValueError("PiecewiseConstantDecay: boundaries must be numbers, got " + b.dump());
    boundaries.push_back(x.is_number_integer() ? x.get<int64_t>() : static_cast<int64_t>(std::floor(x.get<double>())));
  }
  std::vector<double> values;
  for (const Config& x : v) {
    if (!x.is_number()) throw ValueError("PiecewiseConstantDecay: values must be numbers, got " + v.dump());
    values.push_back(x.get<double>());
  }
  PiecewiseConstantDecayOptions o;
  o.name = r.string("name", o.name);
  r.finish();
  return PiecewiseConstantDecay(std::move(boundaries), std::move(values), o);
}

PolynomialDecay::PolynomialDecay(double initial_learning_rate, int64_t decay_steps, PolynomialDecayOptions options)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), options_(std::move(options)) {
  require_positive(decay_steps_, "decay_steps");
}

double PolynomialDecay::operator()(int64_t step) const {
  double s = static_cast<double>(step);
  double decay_steps = static_cast<double>(decay_steps_);
  if (options_.cycle) {
    // The first multiple of decay_steps at or beyond the step (1 at step 0).
    decay_steps *= s == 0 ? 1.0 : std::ceil(s / decay_steps);
  } else {
    s = std::min(s, decay_steps);
  }
  const double p = s / decay_steps;
  return (initial_learning_rate_ - options_.end_learning_rate) * std::pow(1 - p, options_.power) +
         options_.end_learning_rate;
}

Config PolynomialDecay::get_config() const {
  return Config{{"initial_learning_rate", initial_learning_rate_}, {"decay_steps", decay_steps_},
                {"end_learning_rate", options_.end_learning_rate}, {"power", options_.power},
                {"cycle", options_.cycle}, {"name", options_.name}};
}

PolynomialDecay PolynomialDecay::from_config(const Config& config) {
  detail::ConfigReader r(config, "PolynomialDecay");
  PolynomialDecayOptions o;
  const double lr = r.required_number("initial_learning_rate");
  const int64_t steps = r.required_integer("decay_steps");
  o.end_learning_rate = r.number("end_learning_rate", o.end_learning_rate);
  o.power = r.number("power", o.power);
  o.cycle = r.boolean("cycle", o.cycle);
  o.name = r.string("name", o.name);
  r.finish();
  return PolynomialDecay(lr, steps, o);
}

InverseTimeDecay::InverseTimeDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate,
                                   InverseTimeDecayOptions options)
    : initial_learning_rate_(initial_learning_rate),
      decay_steps_(decay_steps),
      decay_rate_(decay_rate),
      options_(std::move(options)) {
  require_positive(decay_steps_, "decay_steps");
}

double InverseTimeDecay::operator()(int64_t step) const {
  double p = static_cast<double>(step) / static_cast<double>(decay_steps_);
  if (options_.staircase) p = std::floor(p);
  return initial_learning_rate_ / (1 + decay_rate_ * p);
}

Config InverseTimeDecay::get_config() const {
  return Config{{"initial_learning_rate", initial_learning_rate_}, {"decay_steps", decay_steps_},
                {"decay_rate", decay_rate_}, {"staircase", options_.staircase}, {"name", options_.name}};
}

InverseTimeDecay InverseTimeDecay::from_config(const Config& config) {
  detail::ConfigReader r(config, "InverseTimeDecay");
  InverseTimeDecayOptions o;
  const double lr = r.required_number("initial_learning_rate");
  const int64_t steps = r.required_integer("decay_steps");
  const double rate = r.required_number("decay_rate");
  o.staircase = r.boolean("staircase", o.staircase);
  o.name = r.string("name", o.name);
  r.finish();
  return InverseTimeDecay(lr, steps, rate, o);
}

CosineDecay::CosineDecay(double initial_learning_rate, int64_t decay_steps, CosineDecayOptions options)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), options_(std::move(options)) {
  require_positive(decay_steps_, "decay_steps");
}

double CosineDecay::operator()(int64_t step) const {
  const double decay_steps = static_cast<double>(decay_steps_);
  const auto decay = [&](double s, double from) {
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * (s / decay_steps)));
    return from * ((1 - options_.alpha) * cosine + options_.alpha);
  };
  double s = static_cast<double>(step);
  if (!options_.warmup_target) return decay(std::min(s, decay_steps), initial_learning_rate_);
  const double target = *options_.warmup_target;
  const double warmup_steps = static_cast<double>(options_.warmup_steps);
  s = std::min(s, decay_steps + warmup_steps);
  if (s < warmup_steps) return (target - initial_learning_rate_) * (s / warmup_steps) + initial_learning_rate_;
  return decay(s - warmup_steps, target);
}

Config CosineDecay::get_config() const {
  return Config{{"initial_learning_rate", initial_learning_rate_},
                {"decay_steps", decay_steps_},
                {"alpha", options_.alpha},
                {"name", options_.name},
                {"warmup_target", options_.warmup_target ? Config(*options_.warmup_target) : Config(nullptr)},
                {"warmup_steps", options_.warmup_steps}};
}

CosineDecay CosineDecay::from_config(const Config& config) {
  detail::ConfigReader r(config, "CosineDecay");
  CosineDecayOptions o;
  const double lr = r.required_number("initial_learning_rate");
  const int64_t steps = r.required_integer("decay_steps");
  o.alpha = r.number("alpha", o.alpha);
  o.name = r.string("name", o.name);
  o.warmup_target = r.optional_number("warmup_target", o.warmup_target);
  o.warmup_steps = r.integer("warmup_steps", o.warmup_steps);
  r.finish();
  return CosineDecay(lr, steps, o);
}

CosineDecayRestarts::CosineDecayRestarts(double initial_learning_rate, int64_t first_decay_steps,
                                         CosineDecayRestartsOptions options)
    : initial_learning_rate_(initial_learning_rate),
      first_decay_steps_(first_decay_steps),
      options_(std::move(options)) {
  require_positive(first_decay_steps_, "first_decay_steps");
}

double CosineDecayRestarts::operator()(int64_t step) const {
  const double t_mul = options_.t_mul;
  double fraction = static_cast<double>(step) / static_cast<double>(first_decay_steps_);
  double restart;
  if (t_mul == 1.0) {
    restart = std::floor(fraction);
    fraction -= restart;
  } else {
    // Periods grow geometrically: the i-th restart begins at fraction (1 - t_mul^i) / (1 - t_mul).
    restart = std::floor(std::log(1.0 - fraction * (1.0 - t_mul)) / std::log(t_mul));
    const double elapsed = (1.0 - std::pow(t_mul, restart)) / (1.0 - t_mul);
    fraction = (fraction - elapsed) / std::pow(t_mul, restart);
  }
  const double cosine = 0.5 * std::pow(options_.m_mul, restart) * (1.0 + std::cos(std::numbers::pi * fraction));
  return initial_learning_rate_ * ((1 - options_.alpha) * cosine + options_.alpha);
}

Config CosineDecayRestarts::get_config() const {
  return Config{{"initial_learning_rate", initial_learning_rate_}, {"first_decay_steps", first_decay_steps_},
                {"t_mul", options_.t_mul}, {"m_mul", options_.m_mul}, {"alpha", options_.alpha},
                {"name", options_.name}};
}

CosineDecayRestarts CosineDecayRestarts::from_config(const Config& config) {
  detail::ConfigReader r(config, "CosineDecayRestarts");
  CosineDecayRestartsOptions o;
  const double lr = r.required_number("initial_learning_rate");
  const int64_t steps = r.required_integer("first_decay_steps");
  o.t_mul = r.number("t_mul", o.t_mul);
  o.m_mul = r.number("m_mul", o.m_mul);
  o.alpha = r.number("alpha", o.alpha);
  o.name = r.string("name", o.name);
  r.finish();
  return CosineDecayRestarts(lr, steps, o);
}

}  // namespace keras::optimizers::schedules

namespace keras::optimizers {

Config LearningRate::to_config() const {
  if (!schedule_) return Config(value_);
  return Config{{"module", "keras.optimizers.schedules"},
                {"class_name", schedule_->class_name()},
                {"config", schedule_->get_config()},
                {"registered_name", nullptr}};
}

LearningRate LearningRate::from_config(const Config& config) {
  using namespace schedules;
  if (config.is_number()) return LearningRate(config.get<double>());
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw ValueError("learning_rate must be a number or a learning rate schedule's object dict, got " + config.dump());
  }
  const std::string name = config["class_name"].get<std::string>();
  const Config inner = config.contains("config") ? config["config"] : Config::object();
  if (name == "ExponentialDecay") return ExponentialDecay::from_config(inner);
  if (name == "PiecewiseConstantDecay") return PiecewiseConstantDecay::from_config(inner);
  if (name == "PolynomialDecay") return PolynomialDecay::from_config(inner);
  if (name == "InverseTimeDecay") return InverseTimeDecay::from_config(inner);
  if (name == "CosineDecay") return CosineDecay::from_config(inner);
  if (name == "CosineDecayRestarts") return CosineDecayRestarts::from_config(inner);
  throw ValueError("Unknown learning rate schedule: '" + name +
                   "'. Expected one of ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, "
                   "CosineDecay, CosineDecayRestarts.");
}

}  // namespace keras::optimizers
