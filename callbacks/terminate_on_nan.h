#pragma once
#include <keras/callbacks/callback.h>

namespace keras::callbacks {

struct TerminateOnNaNOptions {
  bool raise_error = false;  // throw RuntimeError at once instead of stopping after the batch
};

/// keras.callbacks.TerminateOnNaN: stops training when a batch's loss is NaN or infinite.
class TerminateOnNaN final : public Callback {
 public:
  explicit TerminateOnNaN(TerminateOnNaNOptions options = {}) : options_(options) {}
  void on_train_batch_end(int64_t batch, Logs& logs) override;

 private:
  TerminateOnNaNOptions options_;
};

}  // namespace keras::callbacks
