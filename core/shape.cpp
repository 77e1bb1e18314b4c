#include <keras/core/shape.h>

#include <keras/core/errors.h>

#include <limits>

namespace keras {

namespace {
void check_dims(const std::vector<int64_t>& dims) {
  for (int64_t d : dims) {
    if (d < 0 && d != None) {
      throw ValueError("Invalid shape dimension " + std::to_string(d) +
                       ": dimensions must be non-negative or None");
    }
  }
}
}  // namespace

Shape::Shape(std::initializer_list<int64_t> dims) : dims_(dims) { check_dims(dims_); }
Shape::Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) { check_dims(dims_); }

int64_t Shape::operator[](int64_t i) const {
  return dims_[static_cast<size_t>(normalize_axis(i, rank(), "Shape"))];
}

int64_t& Shape::operator[](int64_t i) {
  return dims_[static_cast<size_t>(normalize_axis(i, rank(), "Shape"))];
}

int64_t Shape::size() const {
  int64_t n = 1;
  for (int64_t d : dims_) {
    if (d == None) throw ValueError("Shape " + str() + " has an unknown (None) dimension");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) {
      throw ValueError("Shape " + str() + " has too many elements");
    }
    n *= d;
  }
  return n;
}

bool Shape::is_fully_defined() const {
  for (int64_t d : dims_) {
    if (d == None) return false;
  }
  return true;
}

std::string Shape::str() const {
  std::string s = "(";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ", ";
    s += dims_[i] == None ? "None" : std::to_string(dims_[i]);
  }
  if (dims_.size() == 1) s += ",";
  return s + ")";
}

int64_t normalize_axis(int64_t axis, int64_t rank, std::string_view op) {
  if (axis < -rank || axis >= rank) {
    throw ValueError(std::string(op) + ": axis " + std::to_string(axis) +
                     " is out of bounds for a tensor of rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op) {
  const int64_t rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.rank() ? 1 : a.dims()[static_cast<size_t>(i - (rank - a.rank()))];
    const int64_t db = i < rank - b.rank() ? 1 : b.dims()[static_cast<size_t>(i - (rank - b.rank()))];
    if (da == db || db == 1) {
      out[static_cast<size_t>(i)] = da;
    } else if (da == 1) {
      out[static_cast<size_t>(i)] = db;
    } else if (da == None || db == None) {
      out[static_cast<size_t>(i)] = da == None ? db : da;
    } else {
      throw ValueError(std::string(op) + ": cannot broadcast shapes " + a.str() + " and " + b.str());
    }
  }
  return Shape(std::move(out));
}

std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> strides(static_cast<size_t>(shape.rank()));
  int64_t s = 1;
  for (int64_t i = shape.rank() - 1; i >= 0; --i) {
    strides[static_cast<size_t>(i)] = s;
    s *= shape.dims()[static_cast<size_t>(i)];
  }
  return strides;
}

}  // namespace keras
