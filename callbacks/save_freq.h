#pragma once
#include <cstdint>
#include <string>

namespace keras::callbacks {

/// A callback's `save_freq`: "epoch" (at each epoch's end) or a number of batches.
class SaveFreq {
 public:
  SaveFreq(const char* value) : SaveFreq(std::string(value)) {}  // NOLINT: .save_freq = "epoch"
  SaveFreq(const std::string& value);                             // NOLINT
  SaveFreq(int batches) : SaveFreq(static_cast<int64_t>(batches)) {}  // NOLINT: .save_freq = 100
  SaveFreq(int64_t batches);                                          // NOLINT
  bool per_epoch() const { return batches_ == 0; }
  /// The number of batches between saves (0 for "epoch").
  int64_t batches() const { return batches_; }
  /// "epoch" or the number, as Keras prints save_freq.
  std::string str() const { return per_epoch() ? "epoch" : std::to_string(batches_); }

 private:
  int64_t batches_ = 0;
};

}  // namespace keras::callbacks
