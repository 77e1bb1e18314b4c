#include <keras/callbacks/early_stopping.h>

#include <keras/callbacks/monitor.h>
#include <keras/core/errors.h>
#include <keras/models/model.h>

#include <cmath>
#include <iostream>
#include <limits>

namespace keras::callbacks {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : state_(std::make_shared<State>()) {
  if (options.mode != "auto" && options.mode != "min" && options.mode != "max") {
    detail::warn("EarlyStopping mode " + options.mode + " is unknown, fallback to auto mode.");
    options.mode = "auto";
  }
  state_->min_delta = std::fabs(options.min_delta);
  state_->options = std::move(options);
}

void EarlyStopping::set_monitor_op() {
  State& s = *state_;
  s.minimize = detail::monitor_minimizes(model(), s.options.mode, s.options.monitor);
  if (!s.minimize) {
    throw ValueError("EarlyStopping callback received monitor=" + s.options.monitor +
                     " but Keras isn't able to automatically determine whether that metric should be maximized or "
                     "minimized. Pass `mode='max'` in order to do early stopping based on the highest metric value, "
                     "or pass `mode='min'` in order to use the lowest value.");
  }
  if (*s.minimize) s.min_delta = -s.min_delta;
  s.best = *s.minimize ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool EarlyStopping::is_improvement(double value, double reference) const {
  const double shifted = value - state_->min_delta;
  return *state_->minimize ? shifted < reference : shifted > reference;
}

void EarlyStopping::on_train_begin(Logs& /*logs*/) {
  // Keras resets these so that the callback can be reused, but keeps `best` from an earlier fit.
  state_->wait = 0;
  state_->stopped_epoch = 0;
  state_->best_weights.reset();
  state_->best_epoch = 0;
}

void EarlyStopping::on_epoch_end(int epoch, Logs& logs) {
  State& s = *state_;
  if (!s.minimize) set_monitor_op();  // the model's metrics are only all built after an epoch
  const auto it = logs.find(s.options.monitor);
  if (it == logs.end()) {
    std::string keys;
    for (const auto& [k, v] : logs) keys += (keys.empty() ? "" : ",") + k;
    detail::warn("Early stopping conditioned on metric `" + s.options.monitor +
                 "` which is not available. Available metrics are: " + keys);
    return;
  }
  if (epoch < s.options.start_from_epoch) return;
  const double current = it->second;
  if (s.options.restore_best_weights && !s.best_weights) {
    // Until something improves, the first monitored epoch's weights are the best.
    s.best_weights = model().get_weights();
    s.best_epoch = epoch;
  }
  ++s.wait;
  if (is_improvement(current, s.best)) {
    s.best = current;
    s.best_epoch = epoch;
    if (s.options.restore_best_weights) s.best_weights = model().get_weights();
    // Only restart waiting when both the baseline and the previous best are beaten.
    if (!s.options.baseline || is_improvement(current, *s.options.baseline)) s.wait = 0;
    return;
  }
  if (s.wait >= s.options.patience && epoch > 0) {
    s.stopped_epoch = epoch;
    model().set_stop_training(true);
  }
}

void EarlyStopping::on_train_end(Logs& /*logs*/) {
  State& s = *state_;
  if (s.stopped_epoch > 0 && s.options.verbose > 0) {
    std::cout << "Epoch " << s.stopped_epoch + 1 << ": early stopping" << std::endl;
  }
  if (s.options.restore_best_weights && s.best_weights) {
    if (s.options.verbose > 0) {
      std::cout << "Restoring model weights from the end of the best epoch: " << s.best_epoch + 1 << "." << std::endl;
    }
    model().set_weights(*s.best_weights);
  }
}

}  // namespace keras::callbacks
