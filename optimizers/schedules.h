#pragma once
#include <keras/layers/config.h>

#include <memory>
#include <string>
#include <type_traits>

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
  /// A number, or the schedule's Keras object dict.
  Config to_config() const;

 private:
  double value_ = 0.001;
  std::shared_ptr<const schedules::LearningRateSchedule> schedule_;
};

}  // namespace keras::optimizers
