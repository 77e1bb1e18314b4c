#pragma once
#include <keras/callbacks/callback.h>
#include <keras/callbacks/save_freq.h>

#include <memory>
#include <string>

namespace keras::callbacks {

struct BackupAndRestoreOptions {
  SaveFreq save_freq = "epoch";
  bool double_checkpoint = false;  // keep the previous backup too, and fall back to it if the latest is unreadable
  bool delete_checkpoint = true;   // remove backup_dir when fit ends normally
};

/// keras.callbacks.BackupAndRestore: backs up the training state (the model's weights, the
/// optimizer's variables, the epoch and batch reached) to backup_dir/latest.npz at each epoch's
/// end (or every save_freq batches); when fit starts and a backup exists, restores it and makes fit
/// resume at the saved epoch. The backup is written to a temporary file and renamed, so a crash
/// mid-save leaves the previous one whole.
class BackupAndRestore final : public Callback {
 public:
  explicit BackupAndRestore(std::string backup_dir, BackupAndRestoreOptions options = {});
  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_end(int64_t batch, Logs& logs) override;
  void on_train_end(Logs& logs) override;
  const std::string& backup_dir() const { return state_->backup_dir; }

 private:
  struct State {
    std::string backup_dir;
    BackupAndRestoreOptions options;
    int64_t batches_seen_since_last_saving = 0;
    int64_t last_batch_seen = 0;
    int current_epoch = 0;
  };
  void load(const std::string& path);
  void save();
  bool should_save_on_batch(int64_t batch);
  std::shared_ptr<State> state_;
};

}  // namespace keras::callbacks
