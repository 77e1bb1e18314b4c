#pragma once
#include <keras/callbacks/callback.h>

#include <functional>

namespace keras::callbacks {

struct LearningRateSchedulerOptions {
  int verbose = 0;
};

/// keras.callbacks.LearningRateScheduler: at each epoch's start, sets the optimizer's learning
/// rate to schedule(epoch, current learning rate); adds "learning_rate" to each epoch's logs.
class LearningRateScheduler final : public Callback {
 public:
  /// `schedule` takes the epoch (from 0) and the current learning rate, and returns the new one.
  explicit LearningRateScheduler(std::function<double(int epoch, double learning_rate)> schedule,
                                 LearningRateSchedulerOptions options = {});
  void on_epoch_begin(int epoch, Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;

 private:
  std::function<double(int, double)> schedule_;
  LearningRateSchedulerOptions options_;
};

}  // namespace keras::callbacks
