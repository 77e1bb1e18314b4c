#pragma once
#include <keras/callbacks/callback.h>

#include <chrono>
#include <memory>

namespace keras::callbacks {

/// keras.callbacks.ProgbarLogger: Keras 3's progress bar,
///   "469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.8512 - loss: 0.4205"
/// redrawn in place on a terminal (verbose 1), printed once per epoch otherwise or with verbose 2.
class ProgbarLogger final : public Callback {
 public:
  ProgbarLogger();
  void set_params(const Params& params) override;
  void on_train_begin(Logs& logs) override;
  void on_train_end(Logs& logs) override;
  void on_epoch_begin(int epoch, Logs& logs) override;
  void on_train_batch_end(int64_t batch, Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_test_begin(Logs& logs) override;
  void on_test_batch_end(int64_t batch, Logs& logs) override;
  void on_test_end(Logs& logs) override;
  void on_predict_begin(Logs& logs) override;
  void on_predict_batch_end(int64_t batch, Logs& logs) override;
  void on_predict_end(Logs& logs) override;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Keras 3's progress line for `current` of `target` steps (target may be unknown: 0).
std::string format_progress(int64_t current, int64_t target, double elapsed_s, bool finished, const Logs& logs,
                            bool color);
/// Keras's number format in logs: 4 decimals, or scientific below 1e-3.
std::string format_log_value(double value);

}  // namespace keras::callbacks
