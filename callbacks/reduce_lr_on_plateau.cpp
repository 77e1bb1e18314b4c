#include <keras/callbacks/reduce_lr_on_plateau.h>

#include <keras/callbacks/monitor.h>
#include <keras/core/errors.h>
#include <keras/models/model.h>

#include <algorithm>
#include <iostream>
#include <limits>

namespace keras::callbacks {

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options) : state_(std::make_shared<State>()) {
  if (options.factor >= 1.0) {
    throw ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received factor=" +
                     detail::float_repr(options.factor));
  }
  state_->options = std::move(options);
  reset();
}

void ReduceLROnPlateau::reset() {
  State& s = *state_;
  std::string& mode = s.options.mode;
  if (mode != "auto" && mode != "min" && mode != "max") {
    detail::warn("Learning rate reduction mode " + mode + " is unknown, fallback to auto mode.");
    mode = "auto";
  }
  s.minimize = mode == "min" || (mode == "auto" && s.options.monitor.find("acc") == std::string::npos);
  s.best = s.minimize ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  s.cooldown_counter = 0;
  s.wait = 0;
}

void ReduceLROnPlateau::on_train_begin(Logs& /*logs*/) { reset(); }

void ReduceLROnPlateau::on_epoch_end(int epoch, Logs& logs) {
  State& s = *state_;
  optimizers::Optimizer& optimizer = model().optimizer();
  logs["learning_rate"] = optimizer.learning_rate();
  const auto it = logs.find(s.options.monitor);
  if (it == logs.end()) {
    std::string keys;
    for (const auto& [k, v] : logs) keys += (keys.empty() ? "" : ",") + k;
    detail::warn("Learning rate reduction is conditioned on metric `" + s.options.monitor +
                 "` which is not available. Available metrics are: " + keys + ".");
    return;
  }
  const double current = it->second;
  if (in_cooldown()) {
    --s.cooldown_counter;
    s.wait = 0;
  }
  const bool improved =
      s.minimize ? current < s.best - s.options.min_delta : current > s.best + s.options.min_delta;
  if (improved) {
    s.best = current;
    s.wait = 0;
    return;
  }
  if (in_cooldown()) return;
  if (++s.wait < s.options.patience) return;
  const double old_lr = optimizer.learning_rate();
  // Keras compares with min_lr as a float32, the learning rate's dtype.
  if (old_lr > static_cast<double>(static_cast<float>(s.options.min_lr))) {
    const double new_lr = std::max(old_lr * s.options.factor, s.options.min_lr);
    optimizer.set_learning_rate(new_lr);
    if (s.options.verbose > 0) {
      std::cout << "\nEpoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to "
                << detail::float_repr(new_lr) << "." << std::endl;
    }
    s.cooldown_counter = s.options.cooldown;
    s.wait = 0;
  }
}

}  // namespace keras::callbacks
