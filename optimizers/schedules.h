#pragma once
#include <keras/layers/config.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace keras::optimizers::schedules {

/// keras.optimizers.schedules.LearningRateSchedule: the learning rate as a function of the step
/// (the optimizer's iteration count, starting at 0).
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual double operator()(int64_t step) const = 0;
  virtual std::string class_name() const = 0;
  virtual Config get_config() const = 0;
};

// NOTE: schedules compute in float64; Keras computes in the dtype of initial_learning_rate
// (float32), so the two can differ in the last float32 bit.

struct ExponentialDecayOptions {
  bool staircase = false;
  std::string name = "ExponentialDecay";
};

/// initial_learning_rate * decay_rate ^ (step / decay_steps) (the exponent floored with staircase).
class ExponentialDecay final : public LearningRateSchedule {
 public:
  ExponentialDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate,
                   ExponentialDecayOptions options = {});
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  Config get_config() const override;
  static ExponentialDecay from_config(const Config& config);

 private:
  double initial_learning_rate_;
  int64_t decay_steps_;
  double decay_rate_;
  ExponentialDecayOptions options_;
};

struct PiecewiseConstantDecayOptions {
  std::string name = "PiecewiseConstant";
};

/// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
/// values.back() after the last boundary.
class PiecewiseConstantDecay final : public LearningRateSchedule {
 public:
  PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values,
                         PiecewiseConstantDecayOptions options = {});
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  Config get_config() const override;
  static PiecewiseConstantDecay from_config(const Config& config);

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
  PiecewiseConstantDecayOptions options_;
};

struct PolynomialDecayOptions {
  double end_learning_rate = 0.0001;
  double power = 1.0;
  bool cycle = false;
  std::string name = "PolynomialDecay";
};

/// (initial - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end; with cycle, decay_steps
/// grows to the first multiple of itself not below step.
class PolynomialDecay final : public LearningRateSchedule {
 public:
  PolynomialDecay(double initial_learning_rate, int64_t decay_steps, PolynomialDecayOptions options = {});
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "PolynomialDecay"; }
  Config get_config() const override;
  static PolynomialDecay from_config(const Config& config);

 private:
  double initial_learning_rate_;
  int64_t decay_steps_;
  PolynomialDecayOptions options_;
};

struct InverseTimeDecayOptions {
  bool staircase = false;
  std::string name = "InverseTimeDecay";
};

/// initial_learning_rate / (1 + decay_rate * step / decay_steps) (the ratio floored with staircase).
class InverseTimeDecay final : public LearningRateSchedule {
 public:
  InverseTimeDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate,
                   InverseTimeDecayOptions options = {});
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "InverseTimeDecay"; }
  Config get_config() const override;
  static InverseTimeDecay from_config(const Config& config);

 private:
  double initial_learning_rate_;
  int64_t decay_steps_;
  double decay_rate_;
  InverseTimeDecayOptions options_;
};

struct CosineDecayOptions {
  double alpha = 0.0;
  std::string name = "CosineDecay";
  std::optional<double> warmup_target = {};  // none: no warmup
  int64_t warmup_steps = 0;
};

/// With warmup_target, a linear ramp from initial_learning_rate to warmup_target over warmup_steps;
/// then lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha),
/// lr0 being warmup_target or initial_learning_rate.
class CosineDecay final : public LearningRateSchedule {
 public:
  CosineDecay(double initial_learning_rate, int64_t decay_steps, CosineDecayOptions options = {});
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "CosineDecay"; }
  Config get_config() const override;
  static CosineDecay from_config(const Config& config);

 private:
  double initial_learning_rate_;
  int64_t decay_steps_;
  CosineDecayOptions options_;
};

struct CosineDecayRestartsOptions {
  double t_mul = 2.0;
  double m_mul = 1.0;
  double alpha = 0.0;
  std::string name = "SGDRDecay";
};

/// Cosine decay from 1 to alpha over first_decay_steps, restarted with periods t_mul times longer
/// and peaks m_mul times lower each time (SGDR).
class CosineDecayRestarts final : public LearningRateSchedule {
 public:
  CosineDecayRestarts(double initial_learning_rate, int64_t first_decay_steps, CosineDecayRestartsOptions options = {});
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "CosineDecayRestarts"; }
  Config get_config() const override;
  static CosineDecayRestarts from_config(const Config& config);

 private:
  double initial_learning_rate_;
  int64_t first_decay_steps_;
  CosineDecayRestartsOptions options_;
};

}  // namespace keras::optimizers::schedules

namespace keras::optimizers {

/// A learning rate: a number or a schedule object (optimizers::schedules::ExponentialDecay(...)).
class LearningRate {
 public:
  LearningRate(double value) : value_(value) {}  // NOLINT
  template <class T>
    requires std::is_base_of_v<schedules::LearningRateSchedule, T>
  LearningRate(const T& schedule) : schedule_(std::make_shared<T>(schedule)) {}  // NOLINT
  double at(int64_t step) const { return schedule_ ? (*schedule_)(step) : value_; }
  bool is_schedule() const { return schedule_ != nullptr; }
  /// A number, or the schedule's Keras object dict
  /// ({"module": "keras.optimizers.schedules", "class_name", "config", "registered_name": null}).
  Config to_config() const;
  /// The inverse of to_config (keras.optimizers.schedules.deserialize for dicts); also reads Keras 2
  /// {"class_name", "config"} dicts.
  static LearningRate from_config(const Config& config);

 private:
  double value_ = 0.001;
  std::shared_ptr<const schedules::LearningRateSchedule> schedule_;
};

}  // namespace keras::optimizers
