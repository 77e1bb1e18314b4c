#pragma once
#include <keras/core/errors.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace keras::layers {

/// The `padding` of ZeroPadding1D/2D/3D and the `cropping` of Cropping1D/2D/3D, in Keras's forms:
/// one int for every side (`2`), one int per axis for both of its sides (`{1, 2}`; for a 1-D layer,
/// `{before, after}`), or one (before, after) pair per axis (`{{1, 0}, {2, 2}}`).
class PairsArgument {
 public:
  PairsArgument(int64_t value) : values_{value}, uniform_(true) {}  // NOLINT: .padding = 2
  PairsArgument(int value) : PairsArgument(static_cast<int64_t>(value)) {}  // NOLINT
  PairsArgument(std::initializer_list<int64_t> values) : values_(values) {}
  PairsArgument(std::initializer_list<std::pair<int64_t, int64_t>> pairs) : pairs_(pairs) {}
  explicit PairsArgument(std::vector<std::pair<int64_t, int64_t>> pairs) : pairs_(std::move(pairs)) {}

  /// One non-negative (before, after) pair per axis; ValueError naming `who` and `name` otherwise.
  std::vector<std::pair<int64_t, int64_t>> resolve(size_t axes, const std::string& who, const std::string& name) const {
    std::vector<std::pair<int64_t, int64_t>> out;
    if (uniform_) {
      out.assign(axes, {values_[0], values_[0]});
    } else if (!pairs_.empty()) {
      out = pairs_;
    } else if (axes == 1 && values_.size() == 2) {
      out = {{values_[0], values_[1]}};
    } else if (values_.size() == 1) {
      out.assign(axes, {values_[0], values_[0]});
    } else if (values_.size() == axes) {
      for (int64_t v : values_) out.emplace_back(v, v);
    }
    if (out.size() != axes) {
      throw ValueError(who + ": `" + name + "` should be an int, " + std::to_string(axes == 1 ? 2 : axes) +
                       " ints or " + std::to_string(axes) + " pairs of ints, but received " + std::to_string(count()) +
                       " values");
    }
    for (const auto& [a, b] : out) {
      if (a < 0 || b < 0) {
        throw ValueError(who + ": `" + name + "` cannot be negative. Received: " + name + "=(" + std::to_string(a) +
                         ", " + std::to_string(b) + ")");
      }
    }
    return out;
  }

 private:
  size_t count() const { return pairs_.empty() ? values_.size() : pairs_.size(); }
  std::vector<int64_t> values_;
  std::vector<std::pair<int64_t, int64_t>> pairs_;
  bool uniform_ = false;
};

}  // namespace keras::layers
