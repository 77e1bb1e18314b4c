#pragma once
#include <keras/callbacks/callback.h>

#include <functional>

namespace keras::callbacks {

using EpochHook = std::function<void(int epoch, Logs& logs)>;
using BatchHook = std::function<void(int64_t batch, Logs& logs)>;
using LogsHook = std::function<void(Logs& logs)>;

/// LambdaCallback's functions: Keras's six named arguments first, then the other hooks (its **kwargs).
/// An empty function is not called.
struct LambdaCallbackOptions {
  EpochHook on_epoch_begin = {};
  EpochHook on_epoch_end = {};
  LogsHook on_train_begin = {};
  LogsHook on_train_end = {};
  BatchHook on_train_batch_begin = {};
  BatchHook on_train_batch_end = {};
  LogsHook on_test_begin = {};
  LogsHook on_test_end = {};
  BatchHook on_test_batch_begin = {};
  BatchHook on_test_batch_end = {};
  LogsHook on_predict_begin = {};
  LogsHook on_predict_end = {};
  BatchHook on_predict_batch_begin = {};
  BatchHook on_predict_batch_end = {};
};

/// keras.callbacks.LambdaCallback: a callback made of functions,
///   LambdaCallback({.on_epoch_end = [](int epoch, Logs& logs) { ... }})
class LambdaCallback final : public Callback {
 public:
  explicit LambdaCallback(LambdaCallbackOptions options = {}) : f_(std::move(options)) {}
  void on_epoch_begin(int epoch, Logs& logs) override { call(f_.on_epoch_begin, epoch, logs); }
  void on_epoch_end(int epoch, Logs& logs) override { call(f_.on_epoch_end, epoch, logs); }
  void on_train_begin(Logs& logs) override { call(f_.on_train_begin, logs); }
  void on_train_end(Logs& logs) override { call(f_.on_train_end, logs); }
  void on_train_batch_begin(int64_t batch, Logs& logs) override { call(f_.on_train_batch_begin, batch, logs); }
  void on_train_batch_end(int64_t batch, Logs& logs) override { call(f_.on_train_batch_end, batch, logs); }
  void on_test_begin(Logs& logs) override { call(f_.on_test_begin, logs); }
  void on_test_end(Logs& logs) override { call(f_.on_test_end, logs); }
  void on_test_batch_begin(int64_t batch, Logs& logs) override { call(f_.on_test_batch_begin, batch, logs); }
  void on_test_batch_end(int64_t batch, Logs& logs) override { call(f_.on_test_batch_end, batch, logs); }
  void on_predict_begin(Logs& logs) override { call(f_.on_predict_begin, logs); }
  void on_predict_end(Logs& logs) override { call(f_.on_predict_end, logs); }
  void on_predict_batch_begin(int64_t batch, Logs& logs) override { call(f_.on_predict_batch_begin, batch, logs); }
  void on_predict_batch_end(int64_t batch, Logs& logs) override { call(f_.on_predict_batch_end, batch, logs); }

 private:
  template <class F, class... Args>
  static void call(const F& f, Args&... args) {
    if (f) f(args...);
  }
  LambdaCallbackOptions f_;
};

}  // namespace keras::callbacks
