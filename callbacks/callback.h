#pragma once
#include <keras/core/tensor.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace keras {

class Model;

/// The logs a callback receives: metric name -> value ("loss", "accuracy", "val_loss", ...).
/// Sorted by name, which is also the order Keras 3 prints them in.
using Logs = std::map<std::string, double>;

namespace callbacks {

/// What fit() tells callbacks before training (Keras's callback.params).
struct Params {
  int verbose = 1;
  int epochs = 1;
  std::optional<int64_t> steps = {};  // batches per epoch, when known
};

/// keras.callbacks.Callback: override the hooks you need. Callbacks are handles: keep mutable state
/// behind a shared pointer so that the copy fit() holds and yours agree.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void set_model(Model* model) { model_ = model; }
  virtual void set_params(const Params& params) { params_ = params; }
  Model& model() const;
  const Params& params() const { return params_; }

  virtual void on_train_begin(Logs& /*logs*/) {}
  virtual void on_train_end(Logs& /*logs*/) {}
  virtual void on_epoch_begin(int /*epoch*/, Logs& /*logs*/) {}
  virtual void on_epoch_end(int /*epoch*/, Logs& /*logs*/) {}
  virtual void on_train_batch_begin(int64_t /*batch*/, Logs& /*logs*/) {}
  virtual void on_train_batch_end(int64_t /*batch*/, Logs& /*logs*/) {}
  virtual void on_test_begin(Logs& /*logs*/) {}
  virtual void on_test_end(Logs& /*logs*/) {}
  virtual void on_test_batch_begin(int64_t /*batch*/, Logs& /*logs*/) {}
  virtual void on_test_batch_end(int64_t /*batch*/, Logs& /*logs*/) {}
  virtual void on_predict_begin(Logs& /*logs*/) {}
  virtual void on_predict_end(Logs& /*logs*/) {}
  virtual void on_predict_batch_begin(int64_t /*batch*/, Logs& /*logs*/) {}
  virtual void on_predict_batch_end(int64_t /*batch*/, Logs& /*logs*/) {}

 private:
  Model* model_ = nullptr;
  Params params_;
};

/// keras.callbacks.History: per-epoch logs; fit() returns it.
class History final : public Callback {
 public:
  History();
  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  /// history["loss"][epoch], as Keras's history.history.
  const std::map<std::string, std::vector<double>>& history() const { return state_->history; }
  const std::vector<double>& operator[](const std::string& key) const;
  const std::vector<int>& epoch() const { return state_->epoch; }

 private:
  struct State {
    std::map<std::string, std::vector<double>> history;
    std::vector<int> epoch;
  };
  std::shared_ptr<State> state_;
};

}  // namespace callbacks

using callbacks::History;

/// What fit's `callbacks` takes: any callback object (shared with the caller).
class CallbackArg {
 public:
  template <class T>
    requires std::is_base_of_v<callbacks::Callback, T>
  CallbackArg(const T& callback) : callback_(std::make_shared<T>(callback)) {}  // NOLINT
  CallbackArg(std::shared_ptr<callbacks::Callback> callback) : callback_(std::move(callback)) {}  // NOLINT
  const std::shared_ptr<callbacks::Callback>& get() const { return callback_; }

 private:
  std::shared_ptr<callbacks::Callback> callback_;
};

}  // namespace keras
