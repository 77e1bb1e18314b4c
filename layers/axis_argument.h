#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace keras::layers {

/// A Keras `axis` argument: one int (`.axis = -1`), a list of ints (`.axis = {1, 2}`) or None
/// (`.axis = std::nullopt`, where the layer allows it). Kept as given, so get_config writes back
/// the form the user chose, as Keras does.
class AxisArgument {
 public:
  AxisArgument(int64_t axis) : axes_{axis}, single_(true) {}  // NOLINT: .axis = -1
  AxisArgument(int axis) : AxisArgument(static_cast<int64_t>(axis)) {}  // NOLINT
  AxisArgument(std::initializer_list<int64_t> axes) : axes_(axes) {}
  explicit AxisArgument(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  AxisArgument(std::nullopt_t) : none_(true) {}  // NOLINT: .axis = std::nullopt

  bool is_none() const { return none_; }
  /// Given as one int rather than a list.
  bool is_single() const { return single_; }
  /// The axes as given (possibly negative); empty for None.
  const std::vector<int64_t>& axes() const { return axes_; }

 private:
  std::vector<int64_t> axes_;
  bool single_ = false;
  bool none_ = false;
};

}  // namespace keras::layers
