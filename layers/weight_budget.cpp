#include <keras/layers/weight_budget.h>

#include <keras/core/errors.h>

namespace keras {

namespace {
thread_local WeightBudget* innermost = nullptr;
}  // namespace

WeightBudget::WeightBudget(uint64_t bytes, std::string source)
    : remaining_(bytes), source_(std::move(source)), outer_(innermost) {
  innermost = this;
}

WeightBudget::~WeightBudget() { innermost = outer_; }

void WeightBudget::charge(uint64_t bytes, const std::string& weight) {
  for (WeightBudget* b = innermost; b; b = b->outer_) {
    if (bytes > b->remaining_) {
      throw ValueError("'" + b->source_ + "' describes weights larger than it can hold: " + weight + " needs " +
                       std::to_string(bytes) + " bytes, and only " + std::to_string(b->remaining_) +
                       " bytes of the file's weight data are left for it");
    }
  }
  for (WeightBudget* b = innermost; b; b = b->outer_) b->remaining_ -= bytes;
}

}  // namespace keras
