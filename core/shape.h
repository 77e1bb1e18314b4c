#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace keras {

/// An unknown dimension, printed "None" as in Keras: Shape{None, 784}.
inline constexpr int64_t None = -1;

/// Dimensions of a tensor, outermost first (C order). Prints as a Python tuple: (2, 3), (3,), ().
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::vector<int64_t> dims);

  int64_t rank() const { return static_cast<int64_t>(dims_.size()); }
  /// Dimension i; negative i counts from the end. Throws ValueError when out of range.
  int64_t operator[](int64_t i) const;
  int64_t& operator[](int64_t i);
  /// Number of elements (1 for a scalar); throws ValueError if a dimension is None.
  int64_t size() const;
  bool is_fully_defined() const;
  const std::vector<int64_t>& dims() const { return dims_; }
  std::string str() const;

  auto begin() const { return dims_.begin(); }
  auto end() const { return dims_.end(); }
  bool operator==(const Shape& other) const = default;

 private:
  std::vector<int64_t> dims_;
};

/// Maps a possibly negative axis into [0, rank); throws ValueError naming `op`.
int64_t normalize_axis(int64_t axis, int64_t rank, std::string_view op);
/// NumPy broadcasting of two shapes; throws ValueError naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);
/// Row-major strides in elements.
std::vector<int64_t> contiguous_strides(const Shape& shape);

}  // namespace keras
