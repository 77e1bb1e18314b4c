#include <keras/core/ops/linalg.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/manipulation.h>
#include <keras/core/ops/reduction.h>
#include <keras/kernels/copy.h>
#include <keras/kernels/matmul.h>

#include <algorithm>

namespace keras::ops {

namespace detail {

// op(a) @ op(b) for operands of equal rank >= 2 with broadcastable batch axes. The transposes are
// folded into the kernel's strides, so gradients never materialise a transposed copy.
Tensor matmul_t(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  Tensor y = kernels::matmul({a, b, Tensor(), ta, tb});
  autograd::record(y, {a, b}, [a, b, ta, tb](const Tensors& dy, const autograd::NeedsGrad& needs) {
    const Tensor& g = dy[0];
    Tensor da, db;
    if (needs[0]) da = sum_to_shape(ta ? matmul_t(b, g, tb, true) : matmul_t(g, b, false, !tb), a.shape());
    if (needs[1]) db = sum_to_shape(tb ? matmul_t(g, a, true, ta) : matmul_t(a, g, !ta, false), b.shape());
    return Tensors{da, db};
  });
  return y;
}

}  // namespace detail

Tensor matmul(const Tensor& x1, const Tensor& x2) {
  detail::require_defined(x1, "matmul");
  detail::require_defined(x2, "matmul");
  if (x1.rank() == 0 || x2.rank() == 0) {
    throw ValueError("matmul: operands must have rank >= 1, got shapes " + x1.shape().str() + " and " + x2.shape().str());
  }
  auto [a, b] = detail::promote(x1, x2);
  // NumPy: a 1-D x1 is a row vector, a 1-D x2 a column vector; the added axis is dropped afterwards.
  if (a.rank() == 1) a = expand_dims(a, 0);
  if (b.rank() == 1) b = expand_dims(b, 1);
  const int64_t k1 = a.shape()[-1], k2 = b.shape()[-2];
  if (k1 != k2) {
    throw ValueError("matmul: incompatible shapes " + x1.shape().str() + " and " + x2.shape().str() +
                     ": the last axis of x1 (" + std::to_string(k1) + ") must equal the second-to-last axis of x2 (" +
                     std::to_string(k2) + ")");
  }
  const std::vector<int64_t> ba(a.shape().dims().begin(), a.shape().dims().end() - 2);
  const std::vector<int64_t> bb(b.shape().dims().begin(), b.shape().dims().end() - 2);
  const Shape batch = broadcast_shapes(Shape(ba), Shape(bb), "matmul");
  // Give both operands the batch rank, so the kernel only broadcasts size-1 batch axes.
  auto lift = [&](const Tensor& t) {
    std::vector<int64_t> dims(static_cast<size_t>(batch.rank() + 2 - t.rank()), 1);
    dims.insert(dims.end(), t.shape().dims().begin(), t.shape().dims().end());
    return t.rank() == batch.rank() + 2 ? t : reshape(t, Shape(dims));
  };
  Tensor y = detail::matmul_t(lift(a), lift(b), false, false);
  std::vector<int64_t> out = batch.dims();
  if (x1.rank() > 1) out.push_back(a.shape()[-2]);
  if (x2.rank() > 1) out.push_back(b.shape()[-1]);
  return y.shape() == Shape(out) ? y : reshape(y, Shape(out));
}

Tensor transpose(const Tensor& x, std::vector<int64_t> axes) {
  detail::require_defined(x, "transpose");
  const int64_t r = x.rank();
  if (axes.empty()) {
    for (int64_t i = r - 1; i >= 0; --i) axes.push_back(i);
  }
  if (static_cast<int64_t>(axes.size()) != r) {
    throw ValueError("transpose: axes has " + std::to_string(axes.size()) + " entries, but the tensor of shape " +
                     x.shape().str() + " has rank " + std::to_string(r));
  }
  std::vector<bool> seen(static_cast<size_t>(r), false);
  for (int64_t& a : axes) {
    a = normalize_axis(a, r, "transpose");
    if (seen[static_cast<size_t>(a)]) throw ValueError("transpose: axis " + std::to_string(a) + " is repeated in axes");
    seen[static_cast<size_t>(a)] = true;
  }
  const auto strides = contiguous_strides(x.shape());
  std::vector<int64_t> dims, perm_strides;
  for (int64_t a : axes) {
    dims.push_back(x.shape().dims()[static_cast<size_t>(a)]);
    perm_strides.push_back(strides[static_cast<size_t>(a)]);
  }
  Tensor y = kernels::strided_copy({x, Shape(dims), perm_strides, 0});
  autograd::record(y, {x}, [axes](const Tensors& dy) {
    std::vector<int64_t> inverse(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) inverse[static_cast<size_t>(axes[i])] = static_cast<int64_t>(i);
    return Tensors{transpose(dy[0], inverse)};
  });
  return y;
}

}  // namespace keras::ops
