#include <keras/callbacks/learning_rate_scheduler.h>

#include <keras/callbacks/monitor.h>
#include <keras/core/errors.h>
#include <keras/models/model.h>

#include <iostream>

namespace keras::callbacks {

LearningRateScheduler::LearningRateScheduler(std::function<double(int, double)> schedule,
                                             LearningRateSchedulerOptions options)
    : schedule_(std::move(schedule)), options_(options) {
  if (!schedule_) throw ValueError("LearningRateScheduler: `schedule` must be a function, received an empty one");
}

void LearningRateScheduler::on_epoch_begin(int epoch, Logs& /*logs*/) {
  optimizers::Optimizer& optimizer = model().optimizer();
  const double learning_rate = schedule_(epoch, optimizer.learning_rate());
  optimizer.set_learning_rate(learning_rate);
  if (options_.verbose > 0) {
    std::cout << "\nEpoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to "
              << detail::float_repr(learning_rate) << "." << std::endl;
  }
}

void LearningRateScheduler::on_epoch_end(int /*epoch*/, Logs& logs) {
  logs["learning_rate"] = model().optimizer().learning_rate();
}

}  // namespace keras::callbacks
