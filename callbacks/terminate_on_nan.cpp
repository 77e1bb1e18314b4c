#include <keras/callbacks/terminate_on_nan.h>

#include <keras/callbacks/monitor.h>
#include <keras/core/errors.h>
#include <keras/models/model.h>

#include <cmath>
#include <iostream>

namespace keras::callbacks {

void TerminateOnNaN::on_train_batch_end(int64_t batch, Logs& logs) {
  const auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  if (options_.raise_error) {
    throw RuntimeError("NaN or Inf loss encountered at batch " + std::to_string(batch) +
                       ". Loss value: " + detail::float_repr(it->second) + ". Terminating training immediately.");
  }
  std::cout << "Batch " << batch << ": Invalid loss, terminating training" << std::endl;
  model().set_stop_training(true);
}

}  // namespace keras::callbacks
