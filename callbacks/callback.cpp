#include <keras/callbacks/callback.h>
#include <keras/callbacks/callback_list.h>
#include <keras/callbacks/progbar_logger.h>

#include <keras/core/errors.h>

namespace keras::callbacks {

Model& Callback::model() const {
  if (!model_) throw ValueError("Callback: no model is set; callbacks receive their model from fit/evaluate/predict");
  return *model_;
}

History::History() : state_(std::make_shared<State>()) {}

void History::on_train_begin(Logs& /*logs*/) {
  // Keras keeps a History across fits of one model; a fresh History object starts empty.
}

void History::on_epoch_end(int epoch, Logs& logs) {
  state_->epoch.push_back(epoch);
  for (const auto& [k, v] : logs) state_->history[k].push_back(v);
}

const std::vector<double>& History::operator[](const std::string& key) const {
  auto it = state_->history.find(key);
  if (it == state_->history.end()) {
    std::string keys;
    for (const auto& [k, v] : state_->history) keys += (keys.empty() ? "" : ", ") + k;
    throw ValueError("History has no '" + key + "'; it has: " + keys);
  }
  return it->second;
}

CallbackList::CallbackList(const std::vector<CallbackArg>& callbacks, Model* model, const Params& params,
                           bool add_history, bool add_progbar) {
  bool has_progbar = false;
  for (const CallbackArg& c : callbacks) {
    callbacks_.push_back(c.get());
    if (dynamic_cast<ProgbarLogger*>(c.get().get())) has_progbar = true;
  }
  // Keras 3 appends History, then the ProgbarLogger, so the bar shows what other callbacks add to logs.
  history_ = std::make_shared<History>();
  if (add_history) callbacks_.push_back(history_);
  if (add_progbar && !has_progbar) callbacks_.push_back(std::make_shared<ProgbarLogger>());
  for (auto& c : callbacks_) {
    c->set_model(model);
    c->set_params(params);
  }
}

#define KERAS_FORWARD(hook, ...)                    \
  for (auto& c : callbacks_) c->hook(__VA_ARGS__);

void CallbackList::on_train_begin(Logs& logs) { KERAS_FORWARD(on_train_begin, logs) }
void CallbackList::on_train_end(Logs& logs) { KERAS_FORWARD(on_train_end, logs) }
void CallbackList::on_epoch_begin(int epoch, Logs& logs) { KERAS_FORWARD(on_epoch_begin, epoch, logs) }
void CallbackList::on_epoch_end(int epoch, Logs& logs) { KERAS_FORWARD(on_epoch_end, epoch, logs) }
void CallbackList::on_train_batch_begin(int64_t batch, Logs& logs) { KERAS_FORWARD(on_train_batch_begin, batch, logs) }
void CallbackList::on_train_batch_end(int64_t batch, Logs& logs) { KERAS_FORWARD(on_train_batch_end, batch, logs) }
void CallbackList::on_test_begin(Logs& logs) { KERAS_FORWARD(on_test_begin, logs) }
void CallbackList::on_test_end(Logs& logs) { KERAS_FORWARD(on_test_end, logs) }
void CallbackList::on_test_batch_begin(int64_t batch, Logs& logs) { KERAS_FORWARD(on_test_batch_begin, batch, logs) }
void CallbackList::on_test_batch_end(int64_t batch, Logs& logs) { KERAS_FORWARD(on_test_batch_end, batch, logs) }
void CallbackList::on_predict_begin(Logs& logs) { KERAS_FORWARD(on_predict_begin, logs) }
void CallbackList::on_predict_end(Logs& logs) { KERAS_FORWARD(on_predict_end, logs) }
void CallbackList::on_predict_batch_begin(int64_t batch, Logs& logs) { KERAS_FORWARD(on_predict_batch_begin, batch, logs) }
void CallbackList::on_predict_batch_end(int64_t batch, Logs& logs) { KERAS_FORWARD(on_predict_batch_end, batch, logs) }

#undef KERAS_FORWARD

}  // namespace keras::callbacks
