#pragma once
#include <keras/callbacks/callback.h>

#include <memory>
#include <vector>

namespace keras::callbacks {

/// The callbacks of one fit/evaluate/predict call, called in order (Keras's CallbackList).
/// Appends a History when asked, then a ProgbarLogger when verbose, as Keras 3 does.
class CallbackList {
 public:
  CallbackList(const std::vector<CallbackArg>& callbacks, Model* model, const Params& params, bool add_history,
               bool add_progbar);
  History history() const { return *history_; }

  void on_train_begin(Logs& logs);
  void on_train_end(Logs& logs);
  void on_epoch_begin(int epoch, Logs& logs);
  void on_epoch_end(int epoch, Logs& logs);
  void on_train_batch_begin(int64_t batch, Logs& logs);
  void on_train_batch_end(int64_t batch, Logs& logs);
  void on_test_begin(Logs& logs);
  void on_test_end(Logs& logs);
  void on_test_batch_begin(int64_t batch, Logs& logs);
  void on_test_batch_end(int64_t batch, Logs& logs);
  void on_predict_begin(Logs& logs);
  void on_predict_end(Logs& logs);
  void on_predict_batch_begin(int64_t batch, Logs& logs);
  void on_predict_batch_end(int64_t batch, Logs& logs);

 private:
  std::vector<std::shared_ptr<Callback>> callbacks_;
  std::shared_ptr<History> history_;
};

}  // namespace keras::callbacks
