#include <keras/callbacks/save_freq.h>

#include <keras/core/errors.h>

namespace keras::callbacks {

SaveFreq::SaveFreq(const std::string& value) {
  if (value != "epoch") {
    throw ValueError("Invalid value for argument `save_freq`. Received: save_freq=" + value +
                     ". Expected either 'epoch' or an integer value.");
  }
}

SaveFreq::SaveFreq(int64_t batches) : batches_(batches) {
  // Keras takes any int here, but 0 (False) would save after every batch; a count must be positive.
  if (batches < 1) {
    throw ValueError("Invalid value for argument `save_freq`. Received: save_freq=" + std::to_string(batches) +
                     ". Expected either 'epoch' or a positive number of batches.");
  }
}

}  // namespace keras::callbacks
