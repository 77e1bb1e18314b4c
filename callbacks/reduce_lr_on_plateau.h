#pragma once
#include <keras/callbacks/callback.h>

#include <memory>
#include <string>

namespace keras::callbacks {

struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;  // new_lr = lr * factor; must be < 1
  int patience = 10;
  int verbose = 0;
  std::string mode = "auto";  // "auto" (max when the monitor's name contains "acc"), "min" or "max"
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;
};

/// keras.callbacks.ReduceLROnPlateau: multiplies the optimizer's learning rate by `factor` once
/// `monitor` has not improved for `patience` epochs; adds "learning_rate" to each epoch's logs.
class ReduceLROnPlateau final : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});
  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  /// Whether the callback is waiting out its cooldown after a reduction.
  bool in_cooldown() const { return state_->cooldown_counter > 0; }
  int wait() const { return state_->wait; }
  double best() const { return state_->best; }
  const ReduceLROnPlateauOptions& options() const { return state_->options; }

 private:
  struct State {
    ReduceLROnPlateauOptions options;
    bool minimize = true;
    double best = 0.0;
    int wait = 0;
    int cooldown_counter = 0;
  };
  void reset();
  std::shared_ptr<State> state_;
};

}  // namespace keras::callbacks
