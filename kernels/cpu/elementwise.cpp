#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/eltwise_dnnl.h>
#include <keras/kernels/cpu/loops.h>
#include <keras/kernels/cpu/scalar_ops.h>

#include <cmath>
#include <cstring>
#include <type_traits>

namespace keras::kernels::cpu {

std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out) {
  std::vector<int64_t> strides(static_cast<size_t>(out.rank()), 0);
  const std::vector<int64_t> own = contiguous_strides(shape);
  const int64_t lead = out.rank() - shape.rank();
  for (int64_t i = 0; i < shape.rank(); ++i) {
    if (shape.dims()[static_cast<size_t>(i)] != 1) strides[static_cast<size_t>(lead + i)] = own[static_cast<size_t>(i)];
  }
  return strides;
}

namespace {

template <class T, class R, class Fn>
void run_binary(const Tensor& a, const Tensor& b, const Tensor& dst, Fn fn) {
  const T* pa = static_cast<const T*>(a.data());
  const T* pb = static_cast<const T*>(b.data());
  R* pd = static_cast<R*>(dst.mutable_data());
  if (a.shape() == b.shape()) {
    parallel_for(dst.size(), 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) pd[i] = fn(pa[i], pb[i]);
    });
    return;
  }
  const auto loop = make_broadcast_loop<2>(dst.shape(), {broadcast_strides(a.shape(), dst.shape()),
                                                         broadcast_strides(b.shape(), dst.shape())});
  const int64_t n = loop.inner();
  const int64_t sa = loop.strides[0].back(), sb = loop.strides[1].back();
  parallel_for(loop.rows(), n, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const auto off = loop.row_offsets(row);
      const T* ra = pa + off[0];
      const T* rb = pb + off[1];
      R* rd = pd + row * n;
      if (sa == 1 && sb == 1) {
        for (int64_t i = 0; i < n; ++i) rd[i] = fn(ra[i], rb[i]);
      } else if (sa == 1 && sb == 0) {
        const T vb = *rb;
        for (int64_t i = 0; i < n; ++i) rd[i] = fn(ra[i], vb);
      } else if (sa == 0 && sb == 1) {
        const T va = *ra;
        for (int64_t i = 0; i < n; ++i) rd[i] = fn(va, rb[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) rd[i] = fn(ra[i * sa], rb[i * sb]);
      }
    }
  });
}

}  // namespace

Tensor cast(const Tensor& src, DType dtype) {
  Tensor dst = Tensor::empty(src.shape(), dtype, src.device());
  visit_dtype(src.dtype(), [&](auto stag) {
    using S = decltype(stag);
    visit_dtype(dtype, [&](auto dtag) {
      using D = decltype(dtag);
      const S* ps = static_cast<const S*>(src.data());
      D* pd = static_cast<D*>(dst.mutable_data());
      parallel_for(src.size(), 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) pd[i] = element_cast<D>(ps[i]);
      });
    });
  });
  return dst;
}

Tensor unary(const UnaryArgs& args) {
  const Tensor& src = args.src;
  if (is_half(src.dtype())) {
    Tensor r = unary({args.op, cast(src, DType::float32), args.alpha});
    return is_predicate(args.op) ? r : cast(r, src.dtype());
  }
  const bool predicate = is_predicate(args.op);
  Tensor dst = Tensor::empty(src.shape(), predicate ? DType::bool_ : src.dtype(), src.device());
  if (!predicate && unary_dnnl(args, dst)) return dst;
  visit_dtype(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>) {
      return;
    } else {
      const T* ps = static_cast<const T*>(src.data());
      const int64_t cost = args.op <= UnaryOp::sign || args.op == UnaryOp::relu ? 1 : 16;
      if (predicate) {
        bool* pd = static_cast<bool*>(dst.mutable_data());
        parallel_for(src.size(), 1, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) pd[i] = apply_predicate(args.op, ps[i]);
        });
      } else {
        T* pd = static_cast<T*>(dst.mutable_data());
        const UnaryOp op = args.op;
        const double alpha = args.alpha;
        parallel_for(src.size(), cost, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) pd[i] = apply_unary(op, ps[i], alpha);
        });
      }
    }
  });
  return dst;
}

Tensor binary(const BinaryArgs& args) {
  const Tensor& a = args.src0;
  const Tensor& b = args.src1;
  if (a.dtype() != b.dtype()) {
    throw ValueError("binary kernel: operands must share a dtype, got " + std::string(dtype_name(a.dtype())) +
                     " and " + std::string(dtype_name(b.dtype())));
  }
  const Shape out = broadcast_shapes(a.shape(), b.shape(), "binary");
  if (is_half(a.dtype())) {
    Tensor r = binary({args.op, cast(a, DType::float32), cast(b, DType::float32)});
    return is_comparison(args.op) ? r : cast(r, a.dtype());
  }
  const bool compare = is_comparison(args.op);
  Tensor dst = Tensor::empty(out, compare ? DType::bool_ : a.dtype(), a.device());
  if (!compare && binary_dnnl(args, dst)) return dst;
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>) {
      return;
    } else if (compare) {
      run_binary<T, bool>(a, b, dst, CompareFn<T>{args.op});
    } else {
      run_binary<T, T>(a, b, dst, BinaryFn<T>{args.op});
    }
  });
  return dst;
}

Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y) {
  const Shape out = broadcast_shapes(broadcast_shapes(cond.shape(), x.shape(), "where"), y.shape(), "where");
  const Tensor c = cond.dtype() == DType::bool_ ? cond : cast(cond, DType::bool_);
  Tensor dst = Tensor::empty(out, x.dtype(), x.device());
  const auto loop = make_broadcast_loop<3>(out, {broadcast_strides(c.shape(), out), broadcast_strides(x.shape(), out),
                                                 broadcast_strides(y.shape(), out)});
  const bool* pc = c.data<bool>();
  // Typed by element size (a select of bits works for every dtype), so the inner loop vectorises.
  auto run = [&](auto tag) {
    using T = decltype(tag);
    const T* px = static_cast<const T*>(x.data());
    const T* py = static_cast<const T*>(y.data());
    T* pd = static_cast<T*>(dst.mutable_data());
    if (c.shape() == out && x.shape() == out && y.shape() == out) {
      parallel_for(dst.size(), 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) pd[i] = pc[i] ? px[i] : py[i];
      });
      return;
    }
    const int64_t n = loop.inner();
    const int64_t sc = loop.strides[0].back(), sx = loop.strides[1].back(), sy = loop.strides[2].back();
    parallel_for(loop.rows(), n, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const auto off = loop.row_offsets(row);
        T* d = pd + row * n;
        for (int64_t i = 0; i < n; ++i) d[i] = pc[off[0] + i * sc] ? px[off[1] + i * sx] : py[off[2] + i * sy];
      }
    });
  };
  switch (dtype_size(x.dtype())) {
    case 1: run(uint8_t{}); break;
    case 2: run(uint16_t{}); break;
    case 4: run(uint32_t{}); break;
    default: run(uint64_t{}); break;
  }
  return dst;
}

Tensor relu_backward(const Tensor& diff_dst, const Tensor& dst) {
  if (diff_dst.shape() != dst.shape() || diff_dst.dtype() != dst.dtype()) {
    throw ValueError("relu_backward: diff_dst " + diff_dst.shape().str() + " " + std::string(dtype_name(diff_dst.dtype())) +
                     " does not match dst " + dst.shape().str() + " " + std::string(dtype_name(dst.dtype())));
  }
  if (dst.dtype() != DType::float32 && dst.dtype() != DType::float64) {
    const Tensor r = relu_backward(cast(diff_dst, DType::float32), cast(dst, DType::float32));
    return cast(r, dst.dtype());
  }
  Tensor diff_src = Tensor::empty(dst.shape(), dst.dtype(), dst.device());
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      const T* dd = static_cast<const T*>(diff_dst.data());
      const T* y = static_cast<const T*>(dst.data());
      T* ds = static_cast<T*>(diff_src.mutable_data());
      // A branch here mispredicts on every other element. Loading dd[i] unconditionally lets the
      // compiler turn the select into a vector blend.
      parallel_for(dst.size(), 1, [dd, y, ds](int64_t begin, int64_t end) {
#pragma omp simd
        for (int64_t i = begin; i < end; ++i) {
          const T g = dd[i];
          ds[i] = y[i] > T{0} ? g : T{0};
        }
      });
    }
  });
  return diff_src;
}

}  // namespace keras::kernels::cpu
