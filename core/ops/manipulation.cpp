#include <keras/core/ops/manipulation.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/reduction.h>
#include <keras/kernels/copy.h>

namespace keras::ops {

Tensor reshape(const Tensor& x, const Shape& new_shape) {
  detail::require_defined(x, "reshape");
  std::vector<int64_t> dims = new_shape.dims();
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer >= 0) throw ValueError("reshape: can only infer one dimension (-1) in new shape " + new_shape.str());
      infer = static_cast<int64_t>(i);
    } else {
      known *= dims[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.size() % known != 0) {
      throw ValueError("reshape: cannot reshape a tensor of shape " + x.shape().str() + " (" +
                       std::to_string(x.size()) + " elements) into shape " + new_shape.str());
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
    throw ValueError("broadcast_to: cannot broadcast a tensor of shape " + x.shape().str() + " to shape " + shape.str());
  }
  if (x.shape() == shape) return x;
  std::vector<int64_t> strides(static_cast<size_t>(shape.rank()), 0);
  const auto own = contiguous_strides(x.shape());
  const int64_t lead = shape.rank() - x.rank();
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (x.shape().dims()[static_cast<size_t>(i)] != 1) strides[static_cast<size_t>(lead + i)] = own[static_cast<size_t>(i)];
  }
  Tensor y = kernels::strided_copy({x, shape, strides, 0});
  autograd::record(y, {x}, [shape = x.shape()](const Tensors& dy) { return Tensors{detail::sum_to_shape(dy[0], shape)}; });
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

}  // namespace keras::ops
