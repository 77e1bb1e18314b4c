// CUDA wrappers of the elementwise kernels (device code in elementwise.cu).
#include <keras/kernels/cuda/cuda_kernels.h>
#include <keras/kernels/cuda/launch_util.h>

namespace keras::kernels::cuda {

// elementwise.cu mirrors these enums by position.
static_assert(static_cast<int>(UnaryOp::logical_not) == 19 && static_cast<int>(UnaryOp::hard_sigmoid) == 30 &&
              static_cast<int>(UnaryOp::isfinite) == 33);
static_assert(static_cast<int>(BinaryOp::mod) == 8 && static_cast<int>(BinaryOp::equal) == 9 &&
              static_cast<int>(BinaryOp::logical_xor) == 17);
static_assert(static_cast<int>(DType::float16) == 2 && static_cast<int>(DType::bool_) == 7);

void check_launch(const char* what) {
  const cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess) throw_cuda_error(status, what, __FILE__, __LINE__);
}

namespace {

int code(DType dtype) { return static_cast<int>(dtype); }

bool is_predicate(UnaryOp op) {
  return op == UnaryOp::isnan || op == UnaryOp::isinf || op == UnaryOp::isfinite || op == UnaryOp::logical_not;
}

}  // namespace

Tensor cast(const Tensor& src, DType dtype) {
  Tensor dst = Tensor::empty(src.shape(), dtype, src.device());
  launch_cast(src.data(), code(src.dtype()), dst.mutable_data(), code(dtype), src.size(), stream_of(src));
  return dst;
}

Tensor unary(const UnaryArgs& args) {
  const Tensor& src = args.src;
  Tensor dst = Tensor::empty(src.shape(), is_predicate(args.op) ? DType::bool_ : src.dtype(), src.device());
  launch_unary(static_cast<int>(args.op), code(src.dtype()), src.data(), dst.mutable_data(), src.size(), args.alpha,
               stream_of(src));
  return dst;
}

Tensor binary(const BinaryArgs& args) {
  const Tensor& a = args.src0;
  const Tensor& b = args.src1;
  if (a.dtype() != b.dtype()) {
    throw ValueError("binary kernel: operands must share a dtype, got " + std::string(dtype_name(a.dtype())) + " and " +
                     std::string(dtype_name(b.dtype())));
  }
  const Shape out = broadcast_shapes(a.shape(), b.shape(), "binary");
  Tensor dst = Tensor::empty(out, is_comparison(args.op) ? DType::bool_ : a.dtype(), a.device());
  cudaStream_t s = stream_of(a);
  if (a.shape() == b.shape()) {
    launch_binary(static_cast<int>(args.op), code(a.dtype()), a.data(), b.data(), dst.mutable_data(), dst.size(), nullptr, s);
  } else {
    const auto loop = cpu::make_broadcast_loop<2>(
        out, {cpu::broadcast_strides(a.shape(), out), cpu::broadcast_strides(b.shape(), out)});
    const StridedIndex index = strided_index(loop, "binary");
    launch_binary(static_cast<int>(args.op), code(a.dtype()), a.data(), b.data(), dst.mutable_data(), dst.size(), &index, s);
  }
  return dst;
}

Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y) {
  const Shape out = broadcast_shapes(broadcast_shapes(cond.shape(), x.shape(), "where"), y.shape(), "where");
  if (x.dtype() != y.dtype()) {
    throw ValueError("where kernel: x and y must share a dtype, got " + std::string(dtype_name(x.dtype())) + " and " +
                     std::string(dtype_name(y.dtype())));
  }
  const Tensor c = cond.dtype() == DType::bool_ ? cond : cast(cond, DType::bool_);
  Tensor dst = Tensor::empty(out, x.dtype(), x.device());
  const auto loop = cpu::make_broadcast_loop<3>(out, {cpu::broadcast_strides(c.shape(), out),
                                                      cpu::broadcast_strides(x.shape(), out),
                                                      cpu::broadcast_strides(y.shape(), out)});
  launch_where(static_cast<int>(dtype_size(x.dtype())), static_cast<const bool*>(c.data()), x.data(), y.data(),
               dst.mutable_data(), dst.size(), strided_index(loop, "where"), stream_of(x));
  return dst;
}

Tensor relu_backward(const Tensor& diff_dst, const Tensor& dst) {
  if (diff_dst.shape() != dst.shape() || diff_dst.dtype() != dst.dtype()) {
    throw ValueError("relu_backward: diff_dst " + diff_dst.shape().str() + " " + std::string(dtype_name(diff_dst.dtype())) +
                     " does not match dst " + dst.shape().str() + " " + std::string(dtype_name(dst.dtype())));
  }
  if (dst.dtype() != DType::float32 && dst.dtype() != DType::float64) {
    return cast(relu_backward(cast(diff_dst, DType::float32), cast(dst, DType::float32)), dst.dtype());
  }
  Tensor diff_src = Tensor::empty(dst.shape(), dst.dtype(), dst.device());
  launch_relu_backward(code(dst.dtype()), diff_dst.data(), dst.data(), diff_src.mutable_data(), dst.size(), stream_of(dst));
  return diff_src;
}

}  // namespace keras::kernels::cuda
