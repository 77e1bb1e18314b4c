#include <keras/core/ops/manipulation.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/graph/graph.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/reduction.h>
#include <keras/core/repr.h>
#include <keras/kernels/copy.h>

#include <algorithm>
#include <string>

namespace keras::ops {

namespace {

// A strided view of a dense tensor: element i of the view is flat[offset + i . strides].
struct View {
  Shape shape;
  std::vector<int64_t> strides;
  int64_t offset = 0;
};

// The view x[..., start:start+size, ...] along one axis.
View axis_range(const Shape& shape, int64_t axis, int64_t start, int64_t size) {
  std::vector<int64_t> dims = shape.dims();
  dims[static_cast<size_t>(axis)] = size;
  const auto strides = contiguous_strides(shape);
  return {Shape(dims), strides, start * strides[static_cast<size_t>(axis)]};
}

bool is_contiguous(const View& v) {
  int64_t expected = 1;
  for (int64_t d = v.shape.rank() - 1; d >= 0; --d) {
    const int64_t n = v.shape.dims()[static_cast<size_t>(d)];
    if (n == 1) continue;
    if (v.strides[static_cast<size_t>(d)] != expected) return false;
    expected *= n;
  }
  return true;
}

// The elements of a view, unrecorded. A contiguous one shares x's buffer (as reshape does): tensors
// are immutable, so nobody can tell.
Tensor gather_view(const Tensor& x, const View& v) {
  if (v.shape.size() > 0 && is_contiguous(v)) {
    return Tensor::view(x.storage(), x.offset() + static_cast<size_t>(v.offset) * dtype_size(x.dtype()), v.shape,
                        x.dtype());
  }
  return kernels::strided_copy({x, v.shape, v.strides, v.offset});
}

Tensor assign_view(const Tensor& dy, const Shape& shape, const View& v);

// Slices, strided slices and split pieces are one view each. A view that reaches each element at
// most once has the adjoint assign_view (zeros elsewhere); the two are each other's gradient.
Tensor copy_view(const Tensor& x, const View& v) {
  Tensor y = gather_view(x, v);
  autograd::record(y, {x}, [shape = x.shape(), v](const Tensors& dy) { return Tensors{assign_view(dy[0], shape, v)}; });
  return y;
}

Tensor assign_view(const Tensor& dy, const Shape& shape, const View& v) {
  Tensor y = kernels::strided_assign({dy, shape, v.strides, v.offset, 0.0});
  autograd::record(y, {dy}, [v](const Tensors& ddy) { return Tensors{copy_view(ddy[0], v)}; });
  return y;
}

// The adjoint of take along an axis; its own gradient is take again.
Tensor scatter_add(const Tensor& updates, const Tensor& indices, int64_t axis, const Shape& shape) {
  Tensor y = kernels::scatter_add(updates, indices, axis, shape);
  autograd::record(y, {updates}, [indices, axis](const Tensors& dy) { return Tensors{take(dy[0], indices, axis)}; });
  return y;
}

// Pieces [start, start + size) of x along axis. When they tile the axis in order (numpy.split's usual
// case) they are one recorded op, whose gradient is the concatenation of the pieces' gradients.
Tensors split_pieces(const Tensor& x, int64_t axis, const std::vector<std::pair<int64_t, int64_t>>& pieces) {
  int64_t next = 0;
  bool tiles = true;
  for (const auto& [start, size] : pieces) {
    tiles = tiles && start == next;
    next = start + size;
  }
  tiles = tiles && next == x.shape().dims()[static_cast<size_t>(axis)];
  Tensors ys;
  for (const auto& [start, size] : pieces) {
    const View v = axis_range(x.shape(), axis, start, size);
    ys.push_back(tiles ? gather_view(x, v) : copy_view(x, v));
  }
  if (tiles) autograd::record(ys, Tensors{x}, [axis](const Tensors& dy) { return Tensors{concatenate(dy, axis)}; });
  return ys;
}

// The index into an axis of size n that output position j of a reflect/symmetric pad reads.
int64_t mirror_index(int64_t j, int64_t before, int64_t n, bool reflect) {
  const int64_t i = j - before;
  if (i < 0) return reflect ? -i : -i - 1;
  if (i >= n) return reflect ? 2 * (n - 1) - i : 2 * n - 1 - i;
  return i;
}

void require_integer_indices(const Tensor& indices, std::string_view op) {
  if (!is_integer(indices.dtype())) {
    throw ValueError(std::string(op) + ": indices must be an integer tensor, but received " +
                     std::string(dtype_name(indices.dtype())) + " of shape " + indices.shape().str());
  }
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& new_shape) {
  detail::require_defined(x, "reshape");
  std::vector<int64_t> dims = new_shape.dims();
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer >= 0)
        throw ValueError("reshape: can only infer one dimension (-1) in new shape " + tuple_str(new_shape.dims()));
      infer = static_cast<int64_t>(i);
    } else {
      known *= dims[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.size() % known != 0) {
      throw ValueError("reshape: cannot reshape a tensor of shape " + x.shape().str() + " (" +
                       std::to_string(x.size()) + " elements) into shape " + tuple_str(new_shape.dims()));
    }
    dims[static_cast<size_t>(infer)] = x.size() / known;
  }
  const Shape out(dims);
  if (out.size() != x.size()) {
    throw ValueError("reshape: cannot reshape a tensor of shape " + x.shape().str() + " (" + std::to_string(x.size()) +
                     " elements) into shape " + out.str() + " (" + std::to_string(out.size()) + " elements)");
  }
  Tensor y = Tensor::view(x.storage(), x.offset(), out, x.dtype());
  autograd::record(y, {x}, [shape = x.shape()](const Tensors& dy) { return Tensors{reshape(dy[0], shape)}; });
  return y;
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  detail::require_defined(x, "broadcast_to");
  const Shape out = broadcast_shapes(x.shape(), shape, "broadcast_to");
  if (out != shape) {
    throw ValueError("broadcast_to: cannot broadcast a tensor of shape " + x.shape().str() + " to shape " +
                     shape.str());
  }
  if (x.shape() == shape) return x;
  std::vector<int64_t> strides(static_cast<size_t>(shape.rank()), 0);
  const auto own = contiguous_strides(x.shape());
  const int64_t lead = shape.rank() - x.rank();
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (x.shape().dims()[static_cast<size_t>(i)] != 1)
      strides[static_cast<size_t>(lead + i)] = own[static_cast<size_t>(i)];
  }
  Tensor y = kernels::strided_copy({x, shape, strides, 0});
  autograd::record(y, {x},
                   [shape = x.shape()](const Tensors& dy) { return Tensors{detail::sum_to_shape(dy[0], shape)}; });
  return y;
}

Tensor expand_dims(const Tensor& x, int64_t axis) {
  detail::require_defined(x, "expand_dims");
  const int64_t a = normalize_axis(axis, x.rank() + 1, "expand_dims");
  std::vector<int64_t> dims = x.shape().dims();
  dims.insert(dims.begin() + a, 1);
  return reshape(x, Shape(dims));
}

Tensor squeeze(const Tensor& x, std::optional<std::vector<int64_t>> axis) {
  detail::require_defined(x, "squeeze");
  const auto& xd = x.shape().dims();
  std::vector<bool> drop(xd.size(), false);
  if (axis) {
    for (int64_t a : *axis) {
      const int64_t n = normalize_axis(a, x.rank(), "squeeze");
      if (xd[static_cast<size_t>(n)] != 1) {
        throw ValueError("squeeze: cannot select an axis to squeeze out which has size not equal to one: axis " +
                         std::to_string(a) + " of shape " + x.shape().str());
      }
      drop[static_cast<size_t>(n)] = true;
    }
  } else {
    for (size_t i = 0; i < xd.size(); ++i) drop[i] = xd[i] == 1;
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i < xd.size(); ++i) {
    if (!drop[i]) dims.push_back(xd[i]);
  }
  return reshape(x, Shape(dims));
}

Tensor ravel(const Tensor& x) {
  detail::require_defined(x, "ravel");
  return reshape(x, Shape{x.size()});
}

Tensor flatten(const Tensor& x) {
  detail::require_defined(x, "flatten");
  if (x.rank() == 0) {
    throw ValueError("flatten: expected a tensor of shape (batch, ...) with rank >= 1, but received shape ()");
  }
  int64_t rest = 1;
  for (int64_t i = 1; i < x.rank(); ++i) rest *= x.shape().dims()[static_cast<size_t>(i)];
  return reshape(x, Shape{x.shape()[0], rest});
}

Tensor concatenate(const Tensors& xs, int64_t axis) {
  if (xs.empty()) throw ValueError("concatenate: expected a non-empty list of tensors");
  for (const Tensor& x : xs) detail::require_defined(x, "concatenate");
  const Shape& first = xs[0].shape();
  if (first.rank() == 0) {
    throw ValueError("concatenate: zero-dimensional tensors cannot be concatenated, but received shape ()");
  }
  const int64_t a = normalize_axis(axis, first.rank(), "concatenate");
  DType dtype = xs[0].dtype();
  for (const Tensor& x : xs) {
    bool match = x.rank() == first.rank();
    for (int64_t d = 0; match && d < first.rank(); ++d) {
      match = d == a || x.shape().dims()[static_cast<size_t>(d)] == first.dims()[static_cast<size_t>(d)];
    }
    if (!match) {
      throw ValueError("concatenate: all input shapes must match except on axis " + std::to_string(a) +
                       ", but received " + first.str() + " and " + x.shape().str());
    }
    dtype = promote_types(dtype, x.dtype());
  }
  Tensors inputs;
  std::vector<int64_t> sizes;
  for (const Tensor& x : xs) {
    inputs.push_back(cast(x, dtype));
    sizes.push_back(x.shape().dims()[static_cast<size_t>(a)]);
  }
  Tensor y = kernels::concatenate(inputs, a);
  autograd::record(Tensors{y}, inputs, [a, sizes](const Tensors& dy, const autograd::NeedsGrad& needs) {
    Tensors dxs;
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      dxs.push_back(needs[i] ? copy_view(dy[0], axis_range(dy[0].shape(), a, start, sizes[i])) : Tensor());
      start += sizes[i];
    }
    return dxs;
  });
  return y;
}

Tensor stack(const Tensors& xs, int64_t axis) {
  if (xs.empty()) throw ValueError("stack: expected a non-empty list of tensors");
  for (const Tensor& x : xs) {
    detail::require_defined(x, "stack");
    if (x.shape() != xs[0].shape()) {
      throw ValueError("stack: all input shapes must be equal, but received " + xs[0].shape().str() + " and " +
                       x.shape().str());
    }
  }
  const int64_t a = normalize_axis(axis, xs[0].rank() + 1, "stack");
  Tensors expanded;
  for (const Tensor& x : xs) expanded.push_back(expand_dims(x, a));
  return concatenate(expanded, a);
}

Tensors split(const Tensor& x, int64_t sections, int64_t axis) {
  detail::require_defined(x, "split");
  const int64_t a = normalize_axis(axis, x.rank(), "split");
  const int64_t dim = x.shape().dims()[static_cast<size_t>(a)];
  if (sections <= 0)
    throw ValueError("split: the number of sections must be positive, but received " + std::to_string(sections));
  if (dim % sections != 0) {
    throw ValueError("split: axis " + std::to_string(a) + " of the input of shape " + x.shape().str() + " has size " +
                     std::to_string(dim) + ", which does not divide into " + std::to_string(sections) +
                     " equal sections");
  }
  std::vector<std::pair<int64_t, int64_t>> pieces;
  for (int64_t i = 0; i < sections; ++i) pieces.emplace_back(i * (dim / sections), dim / sections);
  return split_pieces(x, a, pieces);
}

Tensors split(const Tensor& x, const std::vector<int64_t>& indices, int64_t axis) {
  detail::require_defined(x, "split");
  const int64_t a = normalize_axis(axis, x.rank(), "split");
  const int64_t dim = x.shape().dims()[static_cast<size_t>(a)];
  // Piece i is x[indices[i-1]:indices[i]] along the axis, with Python's slice rules, as numpy.split.
  auto resolve = [dim](int64_t i) { return std::clamp(i < 0 ? i + dim : i, int64_t{0}, dim); };
  std::vector<std::pair<int64_t, int64_t>> pieces;
  int64_t start = 0;
  for (int64_t index : indices) {
    const int64_t stop = resolve(index);
    pieces.emplace_back(start, std::max<int64_t>(stop - start, 0));
    start = stop;
  }
  pieces.emplace_back(start, dim - start);
  return split_pieces(x, a, pieces);
}

Tensor slice(const Tensor& x, const std::vector<int64_t>& start_indices, const std::vector<int64_t>& shape) {
  detail::require_defined(x, "slice");
  const auto rank = static_cast<size_t>(x.rank());
  if (start_indices.size() != rank || shape.size() != rank) {
    throw ValueError("slice: start_indices " + tuple_str(start_indices) + " and shape " + tuple_str(shape) +
                     " must have one entry per axis of the input of shape " + x.shape().str());
  }
  const auto strides = contiguous_strides(x.shape());
  int64_t offset = 0;
  for (size_t d = 0; d < rank; ++d) {
    const int64_t start = start_indices[d], size = shape[d], dim = x.shape().dims()[d];
    if (start < 0 || size < 0 || start > dim || size > dim - start) {
      throw ValueError("slice: the block at start_indices " + tuple_str(start_indices) + " with shape " +
                       tuple_str(shape) + " does not fit in the input of shape " + x.shape().str());
    }
    offset += start * strides[d];
  }
  return copy_view(x, {Shape(shape), strides, offset});
}

Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                     const std::vector<int64_t>& strides) {
  detail::require_defined(x, "strided_slice");
  if (end.size() != begin.size() || (!strides.empty() && strides.size() != begin.size())) {
    throw ValueError("strided_slice: begin, end and strides must have the same length, but received " +
                     tuple_str(begin) + ", " + tuple_str(end) + " and " + tuple_str(strides));
  }
  if (static_cast<int64_t>(begin.size()) > x.rank()) {
    throw ValueError("strided_slice: begin " + tuple_str(begin) + " has more entries than the input of shape " +
                     x.shape().str() + " has axes");
  }
  const auto own = contiguous_strides(x.shape());
  View v{x.shape(), own, 0};
  std::vector<int64_t> dims = x.shape().dims();
  for (size_t d = 0; d < begin.size(); ++d) {
    const int64_t step = strides.empty() ? 1 : strides[d];
    if (step == 0) throw ValueError("strided_slice: strides must be non-zero, but received " + tuple_str(strides));
    // Python's slice.indices(dim): negative indices count from the end, the rest clamps.
    const int64_t dim = dims[d];
    const int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? dim : dim - 1;
    auto resolve = [&](int64_t i) { return i < 0 ? std::max(i + dim, lower) : std::min(i, upper); };
    const int64_t start = resolve(begin[d]), stop = resolve(end[d]);
    const int64_t span = step > 0 ? stop - start : start - stop;
    const uint64_t magnitude = step > 0 ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
    const int64_t count = span > 0 ? 1 + static_cast<int64_t>((static_cast<uint64_t>(span) - 1) / magnitude) : 0;
    dims[d] = count;
    v.strides[d] = count > 1 ? step * own[d] : own[d];
    if (count > 0) v.offset += start * own[d];
  }
  v.shape = Shape(dims);
  return copy_view(x, v);
}

Tensor take(const Tensor& x, const Tensor& indices, std::optional<int64_t> axis) {
  detail::require_defined(x, "take");
  detail::require_defined(indices, "take");
  require_integer_indices(indices, "take");
  const Tensor idx = indices.dtype() == DType::uint8 ? cast(indices, DType::int32) : indices;
  const Tensor src = axis ? x : ravel(x);
  const int64_t a = axis ? normalize_axis(*axis, x.rank(), "take") : 0;
  Tensor y = kernels::take(src, idx, a);
  autograd::record(y, {src}, [idx, a, shape = src.shape()](const Tensors& dy) {
    return Tensors{scatter_add(dy[0], idx, a, shape)};
  });
  return y;
}

Tensor take_along_axis(const Tensor& x, const Tensor& indices, int64_t axis) {
  detail::require_defined(x, "take_along_axis");
  detail::require_defined(indices, "take_along_axis");
  require_integer_indices(indices, "take_along_axis");
  if (x.rank() != indices.rank()) {
    throw ValueError("take_along_axis: indices must have the same rank as x, but received x of shape " +
                     x.shape().str() + " and indices of shape " + indices.shape().str());
  }
  const int64_t a = normalize_axis(axis, x.rank(), "take_along_axis");
  const auto& xd = x.shape().dims();
  const auto& id = indices.shape().dims();
  // The axes other than `axis` broadcast against each other, as NumPy.
  std::vector<int64_t> dims(xd.size());
  for (size_t d = 0; d < xd.size(); ++d) {
    if (static_cast<int64_t>(d) == a || xd[d] == id[d] || id[d] == 1) {
      dims[d] = xd[d];
    } else if (xd[d] == 1) {
      dims[d] = id[d];
    } else {
      throw ValueError("take_along_axis: x of shape " + x.shape().str() + " and indices of shape " +
                       indices.shape().str() + " do not broadcast on the axes other than axis " + std::to_string(a));
    }
  }
  const int64_t n = xd[static_cast<size_t>(a)];
  // A host check, so that a traced function checks the indices of every call it replays.
  graph::host_check("check_indices", {indices}, [n, a, x_shape = x.shape()](const Tensors& t) {
    for (int64_t i : t[0].to_vector<int64_t>()) {
      if (i < -n || i >= n) {
        throw ValueError("take_along_axis: index " + std::to_string(i) + " is out of bounds for axis " +
                         std::to_string(a) + " with size " + std::to_string(n) + " (x of shape " + x_shape.str() + ")");
      }
    }
  });
  const Tensor xb = broadcast_to(x, Shape(dims));
  dims[static_cast<size_t>(a)] = id[static_cast<size_t>(a)];
  Tensor idx = broadcast_to(cast(indices, DType::int64), Shape(dims));
  // Gather from the flattened x at flat positions: the index times the axis stride, plus each
  // other axis's position times its stride.
  idx = where(idx < 0.0, idx + static_cast<double>(n), idx);
  const auto strides = contiguous_strides(xb.shape());
  Tensor flat = idx * static_cast<double>(strides[static_cast<size_t>(a)]);
  for (size_t d = 0; d < dims.size(); ++d) {
    if (static_cast<int64_t>(d) == a || dims[d] == 1) continue;
    std::vector<int64_t> along(dims.size(), 1);
    along[d] = dims[d];
    const auto step = static_cast<double>(strides[d]);
    const Tensor positions = arange(0.0, static_cast<double>(dims[d]) * step, step, DType::int64).to(x.device());
    flat = flat + reshape(positions, Shape(along));
  }
  return take(ravel(xb), flat, 0);
}

Tensor one_hot(const Tensor& x, int64_t num_classes, int64_t axis, DType dtype) {
  detail::require_defined(x, "one_hot");
  if (!is_integer(x.dtype())) {
    throw ValueError("one_hot: x must be an integer tensor of class indices, but received " +
                     std::string(dtype_name(x.dtype())) + " of shape " + x.shape().str());
  }
  if (num_classes < 0)
    throw ValueError("one_hot: num_classes must be non-negative, but received " + std::to_string(num_classes));
  const int64_t a = normalize_axis(axis, x.rank() + 1, "one_hot");
  // Comparing with 0..num_classes-1 leaves negative and too-large indices all zero, as TensorFlow.
  std::vector<int64_t> along(static_cast<size_t>(x.rank() + 1), 1);
  along[static_cast<size_t>(a)] = num_classes;
  const Tensor classes = reshape(arange(static_cast<double>(num_classes), DType::int64).to(x.device()), Shape(along));
  return cast(equal(expand_dims(cast(x, DType::int64), a), classes), dtype);
}

Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& pad_width, std::string_view mode,
           double constant_values) {
  detail::require_defined(x, "pad");
  if (static_cast<int64_t>(pad_width.size()) != x.rank()) {
    throw ValueError("pad: pad_width has " + std::to_string(pad_width.size()) + " pairs, but the input of shape " +
                     x.shape().str() + " has rank " + std::to_string(x.rank()) +
                     ": give one (before, after) pair per axis");
  }
  for (size_t d = 0; d < pad_width.size(); ++d) {
    if (pad_width[d].first < 0 || pad_width[d].second < 0) {
      throw ValueError("pad: pad widths must be non-negative, but received " +
                       tuple_str({pad_width[d].first, pad_width[d].second}) + " for axis " + std::to_string(d));
    }
  }
  if (mode == "constant") {
    Tensor y = kernels::pad_constant(x, pad_width, constant_values);
    autograd::record(y, {x}, [pad_width, shape = x.shape()](const Tensors& dy) {
      std::vector<int64_t> starts;
      for (const auto& p : pad_width) starts.push_back(p.first);
      return Tensors{slice(dy[0], starts, shape.dims())};
    });
    return y;
  }
  if (mode != "reflect" && mode != "symmetric") {
    for (std::string_view other : {"edge", "linear_ramp", "maximum", "mean", "median", "minimum", "wrap", "empty"}) {
      if (mode == other) {
        throw NotImplementedError("pad: mode '" + std::string(mode) +
                                  "' is not supported; supported modes are 'constant', 'reflect' and 'symmetric'");
      }
    }
    throw ValueError("pad: unknown mode '" + std::string(mode) + "'; expected 'constant', 'reflect' or 'symmetric'");
  }
  if (constant_values != 0.0) {
    throw ValueError("pad: constant_values is only valid with mode 'constant', but mode is '" + std::string(mode) +
                     "'");
  }
  const bool reflect = mode == "reflect";
  // Each padded axis is a take with a mirrored index list, so the gradient is take's (a scatter_add).
  Tensor y = x;
  for (size_t d = 0; d < pad_width.size(); ++d) {
    const auto [before, after] = pad_width[d];
    if (before == 0 && after == 0) continue;
    const int64_t n = x.shape().dims()[d], limit = reflect ? n - 1 : n;
    if (before > limit || after > limit) {
      throw ValueError("pad: mode '" + std::string(mode) + "' pads axis " + std::to_string(d) +
                       " of the input of shape " + x.shape().str() + " by at most " +
                       std::to_string(std::max<int64_t>(limit, 0)) + (reflect ? " (size - 1)" : " (size)") +
                       " on each side, but received " + tuple_str({before, after}));
    }
    std::vector<int64_t> idx(static_cast<size_t>(n + before + after));
    for (size_t j = 0; j < idx.size(); ++j) idx[j] = mirror_index(static_cast<int64_t>(j), before, n, reflect);
    y = take(y, Tensor::from_vector(idx).to(x.device()), static_cast<int64_t>(d));
  }
  return y;
}

// tile and repeat are a broadcast over an interleaved new axis of each repeated one, then a reshape
// (no copy), so their gradients are broadcast_to's sums.
Tensor tile(const Tensor& x, const std::vector<int64_t>& repeats) {
  detail::require_defined(x, "tile");
  for (int64_t r : repeats) {
    if (r < 0) throw ValueError("tile: repeats must be non-negative, but received " + tuple_str(repeats));
  }
  // NumPy: the shorter of x's shape and repeats is padded with leading ones.
  const size_t rank = std::max(static_cast<size_t>(x.rank()), repeats.size());
  std::vector<int64_t> dims(rank - static_cast<size_t>(x.rank()), 1), reps(rank - repeats.size(), 1);
  dims.insert(dims.end(), x.shape().dims().begin(), x.shape().dims().end());
  reps.insert(reps.end(), repeats.begin(), repeats.end());
  std::vector<int64_t> interleaved, broadcast, out;
  for (size_t d = 0; d < rank; ++d) {
    interleaved.insert(interleaved.end(), {1, dims[d]});
    broadcast.insert(broadcast.end(), {reps[d], dims[d]});
    out.push_back(reps[d] * dims[d]);
  }
  return reshape(broadcast_to(reshape(x, Shape(interleaved)), Shape(broadcast)), Shape(out));
}

Tensor repeat(const Tensor& x, int64_t repeats, std::optional<int64_t> axis) {
  detail::require_defined(x, "repeat");
  if (repeats < 0) throw ValueError("repeat: repeats must be non-negative, but received " + std::to_string(repeats));
  const Tensor src = axis ? x : ravel(x);
  const int64_t a = axis ? normalize_axis(*axis, x.rank(), "repeat") : 0;
  std::vector<int64_t> interleaved = src.shape().dims(), broadcast = interleaved, out = interleaved;
  interleaved.insert(interleaved.begin() + a + 1, 1);
  broadcast.insert(broadcast.begin() + a + 1, repeats);
  out[static_cast<size_t>(a)] *= repeats;
  return reshape(broadcast_to(reshape(src, Shape(interleaved)), Shape(broadcast)), Shape(out));
}

Tensor flip(const Tensor& x, std::optional<std::vector<int64_t>> axis) {
  detail::require_defined(x, "flip");
  std::vector<bool> flipped(static_cast<size_t>(x.rank()), !axis);
  if (axis) {
    for (int64_t a : *axis) {
      const auto n = static_cast<size_t>(normalize_axis(a, x.rank(), "flip"));
      if (flipped[n]) throw ValueError("flip: axis " + std::to_string(a) + " is repeated in axis " + tuple_str(*axis));
      flipped[n] = true;
    }
  }
  View v{x.shape(), contiguous_strides(x.shape()), 0};
  std::vector<int64_t> axes;
  for (size_t d = 0; d < flipped.size(); ++d) {
    const int64_t n = x.shape().dims()[d];
    if (!flipped[d] || n <= 1) continue;
    v.offset += (n - 1) * v.strides[d];
    v.strides[d] = -v.strides[d];
    axes.push_back(static_cast<int64_t>(d));
  }
  if (axes.empty()) return x;
  Tensor y = kernels::strided_copy({x, v.shape, v.strides, v.offset});
  autograd::record(y, {x}, [axes](const Tensors& dy) { return Tensors{flip(dy[0], axes)}; });
  return y;
}

}  // namespace keras::ops
