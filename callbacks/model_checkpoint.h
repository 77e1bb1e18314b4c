#pragma once
#include <keras/callbacks/callback.h>
#include <keras/callbacks/save_freq.h>

#include <memory>
#include <optional>
#include <string>

namespace keras::callbacks {

struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  int verbose = 0;
  bool save_best_only = false;
  bool save_weights_only = false;
  std::string mode = "auto";  // "auto", "min" or "max"
  SaveFreq save_freq = "epoch";
  std::optional<double> initial_value_threshold = {};
};

/// keras.callbacks.ModelCheckpoint: saves the model (model.save) or its weights (model.save_weights)
/// at each epoch's end or every save_freq batches, to `filepath` formatted like Python's str.format
/// with `epoch` (1-based), `batch` (1-based, batch-level saves) and the logs: "ckpt-{epoch:02d}-{val_loss:.2f}.keras".
/// With save_best_only, saves only when `monitor` improves on the best so far.
class ModelCheckpoint final : public Callback {
 public:
  explicit ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});
  void on_epoch_begin(int epoch, Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_end(int64_t batch, Logs& logs) override;

  const std::string& filepath() const { return state_->filepath; }
  const ModelCheckpointOptions& options() const { return state_->options; }
  /// The best monitored value so far (+-inf once the direction is known; initial_value_threshold before).
  std::optional<double> best() const { return state_->best; }

 private:
  struct State {
    std::string filepath;
    ModelCheckpointOptions options;
    std::optional<bool> minimize;  // Keras's monitor_op, set at the first epoch end
    std::optional<double> best;
    int current_epoch = 0;
    int64_t batches_seen_since_last_saving = 0;
    int64_t last_batch_seen = 0;
  };
  void set_monitor_op();
  bool should_save_on_batch(int64_t batch);
  bool should_save_model(int epoch, const Logs& logs, const std::string& path);
  void save_model(int epoch, std::optional<int64_t> batch, const Logs& logs);
  std::shared_ptr<State> state_;
};

namespace detail {
/// Python's str.format for a checkpoint path: `{name}`, `{name:d}`, `{name:0Nd}`, `{name:.Nf}` and
/// the like, with "{{" and "}}" as braces; `ints` and `floats` name the values. ValueError naming
/// an unknown key as Python's KeyError prints it ("'val_loss'").
std::string format_path(const std::string& pattern, const std::map<std::string, int64_t>& ints, const Logs& floats);
}  // namespace detail

}  // namespace keras::callbacks
