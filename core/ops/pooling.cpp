#include <keras/core/ops/pooling.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/conv_utils.h>
#include <keras/core/ops/detail.h>
#include <keras/core/repr.h>
#include <keras/kernels/pool.h>

namespace keras::ops {

namespace {

using kernels::PoolAlgorithm;
using kernels::PoolWindow;

const char* op_name(PoolAlgorithm a) { return a == PoolAlgorithm::max ? "max_pool" : "average_pool"; }


// Checks the arguments as Keras does and turns them into the kernel's explicit window.
PoolWindow make_window(PoolAlgorithm alg, const Tensor& x, const std::vector<int64_t>& pool_size,
                       const PoolOptions& o) {
  const std::string name = op_name(alg);
  detail::require_defined(x, name);
  if (x.rank() < 3 || x.rank() > 5) {
    throw ValueError(name + ": expected a rank-3, -4 or -5 input (batch, spatial..., channels), got shape " +
                     x.shape().str());
  }
  detail::require_floating(x, name);
  const size_t n = static_cast<size_t>(x.rank() - 2);
  PoolWindow w;
  w.kernel = conv_utils::normalize_tuple(pool_size, n, "pool_size");
  w.strides = conv_utils::normalize_tuple(o.strides.empty() ? pool_size : o.strides, n, "strides");
  const std::string padding = conv_utils::standardize_padding(o.padding);
  w.channels_last = conv_utils::standardize_data_format(o.data_format) == "channels_last";
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = x.shape()[static_cast<int64_t>(w.channels_last ? i + 1 : i + 2)];
    if (conv_utils::output_length(in, w.kernel[i], padding, w.strides[i]) <= 0) {
      throw ValueError(name + ": computed output size would be negative or zero. Received: `inputs.shape=" +
                       x.shape().str() + "` and `pool_size=" + tuple_str(w.kernel) + "`");
    }
    const auto [before, after] = conv_utils::padding_amounts(in, w.kernel[i], padding, w.strides[i]);
    w.padding_l.push_back(before);
    w.padding_r.push_back(after);
  }
  return w;
}

Tensor pool_backward(PoolAlgorithm alg, const Tensor& dy, const Tensor& x, const Tensor& workspace,
                     const PoolWindow& w);

// Differentiable pooling with an explicit window; average pooling's backward uses it too.
Tensor pool(PoolAlgorithm alg, const Tensor& x, const PoolWindow& w) {
  const bool record = autograd::tape_active();
  kernels::PoolForwardResult r = kernels::pool_forward({alg, x, w, record});
  autograd::record(r.dst, {x}, [alg, x, ws = r.workspace, w](const Tensors& dy) {
    return Tensors{pool_backward(alg, dy[0], x, ws, w)};
  });
  return r.dst;
}

// The gradient of pooling. Average pooling's backward is linear in dy with pooling as its adjoint,
// so it is differentiable again; max pooling's would need the argmax as a gather, which no op has yet.
Tensor pool_backward(PoolAlgorithm alg, const Tensor& dy, const Tensor& x, const Tensor& workspace,
                     const PoolWindow& w) {
  const bool is_max = alg == PoolAlgorithm::max;
  Tensor dx = kernels::pool_backward({alg, dy, x.shape(), w, is_max ? x : Tensor(), is_max ? workspace : Tensor()});
  autograd::record(dx, {dy}, [alg, w](const Tensors& ddx) {
    if (alg == PoolAlgorithm::max) {
      throw NotImplementedError("max_pool: the gradient of max_pool's gradient (a second derivative) is not implemented");
    }
    return Tensors{pool(alg, ddx[0], w)};
  });
  return dx;
}

}  // namespace

Tensor max_pool(const Tensor& inputs, const std::vector<int64_t>& pool_size, const PoolOptions& options) {
  return pool(PoolAlgorithm::max, inputs, make_window(PoolAlgorithm::max, inputs, pool_size, options));
}

Tensor average_pool(const Tensor& inputs, const std::vector<int64_t>& pool_size, const PoolOptions& options) {
  return pool(PoolAlgorithm::avg, inputs, make_window(PoolAlgorithm::avg, inputs, pool_size, options));
}

}  // namespace keras::ops
