#pragma once
// Python's printed forms of values, for messages and configs that must read as Keras's do.
#include <cstdint>
#include <string>
#include <vector>

namespace keras {

/// A Python tuple of integers: "(2, 3)", "(4,)", "()"; -1 stays -1 (for shapes with None, Shape::str).
std::string tuple_str(const std::vector<int64_t>& values);
/// Python's repr of a float: "0.1", "1e-05", "100.0", "nan", "inf".
std::string float_repr(double value);

}  // namespace keras
