#pragma once
#include <cstdint>
#include <string>

namespace keras {

/// While alive, caps the bytes of weights that layers built on this thread may create (add_weight
/// throws ValueError naming `source` beyond it). Loaders of untrusted files set it to what the file
/// can hold, so a config cannot demand absurd weights that its file does not contain. Nested budgets
/// each apply.
class WeightBudget {
 public:
  WeightBudget(uint64_t bytes, std::string source);
  ~WeightBudget();
  WeightBudget(const WeightBudget&) = delete;
  WeightBudget& operator=(const WeightBudget&) = delete;

  /// Charges a new weight of `bytes` to every live budget on this thread.
  static void charge(uint64_t bytes, const std::string& weight);

 private:
  uint64_t remaining_;
  std::string source_;
  WeightBudget* outer_;
};

}  // namespace keras
