#pragma once
#include <keras/callbacks/callback.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keras::callbacks {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;
  int patience = 0;
  int verbose = 0;
  std::string mode = "auto";  // "auto", "min" or "max"
  std::optional<double> baseline = {};
  bool restore_best_weights = false;
  int start_from_epoch = 0;
};

/// keras.callbacks.EarlyStopping: sets model.stop_training once `monitor` has not improved by
/// min_delta for `patience` epochs; with restore_best_weights, puts back the best epoch's weights
/// when training ends (early stop or not).
class EarlyStopping final : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(Logs& logs) override;

  /// The epoch at which training was stopped (0 when it was not).
  int stopped_epoch() const { return state_->stopped_epoch; }
  /// The epoch with the best monitored value.
  int best_epoch() const { return state_->best_epoch; }
  /// The best monitored value so far (+-inf before the first).
  double best() const { return state_->best; }
  /// Epochs since the last improvement.
  int wait() const { return state_->wait; }
  const EarlyStoppingOptions& options() const { return state_->options; }

 private:
  struct State {
    EarlyStoppingOptions options;
    std::optional<bool> minimize;  // Keras's monitor_op (ops.less or ops.greater), set at the first epoch end
    double min_delta = 0.0;        // signed as Keras keeps it once the direction is known
    double best = 0.0;
    int wait = 0;
    int stopped_epoch = 0;
    int best_epoch = 0;
    std::optional<std::vector<Tensor>> best_weights;
  };
  void set_monitor_op();
  bool is_improvement(double value, double reference) const;
  std::shared_ptr<State> state_;
};

}  // namespace keras::callbacks
