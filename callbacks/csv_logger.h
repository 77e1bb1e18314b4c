#pragma once
#include <keras/callbacks/callback.h>

#include <memory>
#include <string>

namespace keras::callbacks {

struct CSVLoggerOptions {
  std::string separator = ",";
  bool append = false;  // true: continue an existing file (its header is kept); false: overwrite it
};

/// keras.callbacks.CSVLogger: one row per epoch, "epoch" then the logs' keys in sorted order (fixed
/// at the first epoch; a key missing later is "NA"), values as Python prints them, flushed each epoch.
/// Rows end in "\r\n" as Python's csv module writes them.
class CSVLogger final : public Callback {
 public:
  explicit CSVLogger(std::string filename, CSVLoggerOptions options = {});
  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(Logs& logs) override;
  const std::string& filename() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace keras::callbacks
