#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/dnnl_context.h>
#include <keras/kernels/cpu/loops.h>

#include <cstring>
#include <optional>

namespace keras::kernels::cpu {

namespace {

struct Plan {
  std::vector<int64_t> batch;       // broadcast batch dims of dst
  int64_t m, k, n;
  std::vector<int64_t> src_batch;   // src's batch dims (1 where broadcast)
  std::vector<int64_t> wei_batch;
};

Plan make_plan(const MatmulArgs& a) {
  const auto& sd = a.src.shape().dims();
  const auto& wd = a.weights.shape().dims();
  const size_t r = sd.size();
  Plan p;
  p.m = a.transpose_src ? sd[r - 1] : sd[r - 2];
  p.k = a.transpose_src ? sd[r - 2] : sd[r - 1];
  const int64_t kw = a.transpose_weights ? wd[r - 1] : wd[r - 2];
  p.n = a.transpose_weights ? wd[r - 2] : wd[r - 1];
  if (kw != p.k) {
    throw ValueError("matmul: inner dimensions differ: " + a.src.shape().str() + " and " + a.weights.shape().str());
  }
  p.src_batch.assign(sd.begin(), sd.end() - 2);
  p.wei_batch.assign(wd.begin(), wd.end() - 2);
  for (size_t i = 0; i + 2 < r; ++i) {
    if (sd[i] != wd[i] && sd[i] != 1 && wd[i] != 1) {
      throw ValueError("matmul: batch dimensions do not broadcast: " + a.src.shape().str() + " and " + a.weights.shape().str());
    }
    p.batch.push_back(sd[i] == 1 ? wd[i] : sd[i]);  // not max: a 1 against a 0 broadcasts to 0
  }
  return p;
}

dnnl::memory::dims dims_of(const std::vector<int64_t>& batch, int64_t rows, int64_t cols) {
  dnnl::memory::dims d(batch.begin(), batch.end());
  d.push_back(rows);
  d.push_back(cols);
  return d;
}

// Strides of a (batch..., rows, cols) view of a dense (batch..., rows, cols) or, transposed,
// (batch..., cols, rows) buffer; broadcast batch dims get stride 0.
dnnl::memory::dims strides_of(const std::vector<int64_t>& batch, int64_t rows, int64_t cols, bool transposed) {
  dnnl::memory::dims s(batch.size() + 2);
  s[batch.size()] = transposed ? 1 : cols;
  s[batch.size() + 1] = transposed ? rows : 1;
  int64_t step = rows * cols;
  for (size_t i = batch.size(); i-- > 0;) {
    s[i] = batch[i] == 1 ? 0 : step;
    step *= batch[i];
  }
  return s;
}

// float32 or bfloat16 operands through oneDNN's matmul. For bfloat16 products accumulate in float32
// and dst is rounded to bfloat16 once (as TF/XLA on CPUs and GPUs), and an undefined Tensor comes
// back when oneDNN has no bf16 matmul for this CPU, so the caller upcasts instead; float32 throws.
Tensor matmul_dnnl(const MatmulArgs& a, const Plan& p, Tensor dst, dnnl::memory::data_type type) {
  const bool has_bias = a.bias.defined();
  const bool bf16 = type == dnnl::memory::data_type::bf16;
  std::string key = bf16 ? "bf16|" : "f32|";
  append_key(key, {p.m, p.k, p.n, a.transpose_src, a.transpose_weights, has_bias});
  for (int64_t b : p.src_batch) append_key(key, {b});
  key += '|';
  for (int64_t b : p.wei_batch) append_key(key, {b});
  static PrimitiveCache<std::optional<dnnl::matmul>> cache;
  const dnnl::memory::desc src_md(dims_of(p.src_batch, p.m, p.k), type,
                                  strides_of(p.src_batch, p.m, p.k, a.transpose_src));
  const dnnl::memory::desc wei_md(dims_of(p.wei_batch, p.k, p.n), type,
                                  strides_of(p.wei_batch, p.k, p.n, a.transpose_weights));
  const dnnl::memory::desc dst_md(dims_of(p.batch, p.m, p.n), type, strides_of(p.batch, p.m, p.n, false));
  const std::vector<int64_t> ones(p.batch.size(), 1);
  const dnnl::memory::desc bias_md(dims_of(ones, 1, p.n), type, strides_of(ones, 1, p.n, false));
  const std::optional<dnnl::matmul> prim = cache.get(key, [&]() -> std::optional<dnnl::matmul> {
    try {
      auto desc = has_bias ? dnnl::matmul::desc(src_md, wei_md, bias_md, dst_md) : dnnl::matmul::desc(src_md, wei_md, dst_md);
      return dnnl::matmul(dnnl::matmul::primitive_desc(desc, dnnl_engine()));
    } catch (const dnnl::error& e) {
      if (bf16) return std::nullopt;
      throw RuntimeError("matmul: oneDNN could not create a primitive for " + a.src.shape().str() + " @ " +
                         a.weights.shape().str() + ": " + e.what() + " (status " + std::to_string(e.status) + ")");
    }
  });
  if (!prim) return Tensor();
  auto& engine = dnnl_engine();
  std::unordered_map<int, dnnl::memory> margs{
      {DNNL_ARG_SRC, dnnl::memory(src_md, engine, const_cast<void*>(a.src.data()))},
      {DNNL_ARG_WEIGHTS, dnnl::memory(wei_md, engine, const_cast<void*>(a.weights.data()))},
      {DNNL_ARG_DST, dnnl::memory(dst_md, engine, dst.mutable_data())}};
  if (has_bias) margs.emplace(DNNL_ARG_BIAS, dnnl::memory(bias_md, engine, const_cast<void*>(a.bias.data())));
  prim->execute(dnnl_stream(), margs);
  dnnl_stream().wait();
  return dst;
}

// NOTE: relu runs as a loop over dst rather than a oneDNN eltwise post-op: 2.6's relu turns NaN into
// 0 where ops::relu keeps it. dst is still in cache, so the extra pass costs little.
template <class T>
void relu_in_place(const Tensor& dst) {
  T* d = static_cast<T*>(dst.mutable_data());
  parallel_for(dst.size(), 1, [d](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) d[i] = d[i] < T{0} ? T{0} : d[i];
  });
}

// Reference loops for dtypes oneDNN's CPU matmul lacks (float64 for gradient checks, integers).
template <class T>
void matmul_loops(const MatmulArgs& a, const Plan& p, const Tensor& dst) {
  const T* ps = static_cast<const T*>(a.src.data());
  const T* pw = static_cast<const T*>(a.weights.data());
  const T* pb = a.bias.defined() ? static_cast<const T*>(a.bias.data()) : nullptr;
  T* pd = static_cast<T*>(dst.mutable_data());
  const auto ss = strides_of(p.src_batch, p.m, p.k, a.transpose_src);
  const auto ws = strides_of(p.wei_batch, p.k, p.n, a.transpose_weights);
  int64_t batches = 1;
  for (int64_t b : p.batch) batches *= b;
  const size_t nb = p.batch.size();
  parallel_for(batches * p.m, p.k * p.n, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t bi = row / p.m, i = row % p.m, so = 0, wo = 0;
      for (size_t d = nb; d-- > 0;) {
        const int64_t idx = bi % p.batch[d];
        bi /= p.batch[d];
        so += idx * ss[d];
        wo += idx * ws[d];
      }
      T* out = pd + row * p.n;
      for (int64_t j = 0; j < p.n; ++j) out[j] = pb ? pb[j] : T{0};
      for (int64_t l = 0; l < p.k; ++l) {
        const T x = ps[so + i * ss[nb] + l * ss[nb + 1]];
        const T* w = pw + wo + l * ws[nb];
        for (int64_t j = 0; j < p.n; ++j) out[j] = static_cast<T>(out[j] + x * w[j * ws[nb + 1]]);
      }
    }
  });
}

}  // namespace

Tensor matmul(const MatmulArgs& a) {
  if (a.relu) {
    MatmulArgs linear = a;
    linear.relu = false;
    Tensor dst = cpu::matmul(linear);
    visit_dtype(dst.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bool>) {
        throw ValueError("matmul kernel: relu is fused for float32, float64, bfloat16 and integers only, got " +
                         std::string(dtype_name(dst.dtype())));
      } else {
        relu_in_place<T>(dst);
      }
    });
    return dst;
  }
  const DType dtype = a.src.dtype();
  if (a.src.rank() < 2 || a.src.rank() != a.weights.rank() || a.weights.dtype() != dtype) {
    throw ValueError("matmul kernel: expected operands of equal rank >= 2 and dtype, got " + a.src.shape().str() +
                     " and " + a.weights.shape().str());
  }
  if (dtype == DType::bfloat16 && (!a.bias.defined() || a.bias.dtype() == dtype)) {
    const Plan p = make_plan(a);
    if (p.k > 0) {
      std::vector<int64_t> dims = p.batch;
      dims.push_back(p.m);
      dims.push_back(p.n);
      Tensor dst = Tensor::empty(Shape(dims), dtype, a.src.device());
      if (dst.size() == 0) return dst;
      Tensor out = matmul_dnnl(a, p, dst, dnnl::memory::data_type::bf16);
      if (out.defined()) return out;
    }
  }
  if (dtype == DType::float16 || dtype == DType::bfloat16 || dtype == DType::bool_) {
    const DType compute = dtype == DType::bool_ ? DType::int32 : DType::float32;
    const Tensor src = cast(a.src, compute);
    const Tensor weights = cast(a.weights, compute);
    const Tensor bias = a.bias.defined() ? cast(a.bias, compute) : Tensor();
    return cast(matmul({src, weights, bias, a.transpose_src, a.transpose_weights, false}), dtype);
  }
  const Plan p = make_plan(a);
  std::vector<int64_t> dims = p.batch;
  dims.push_back(p.m);
  dims.push_back(p.n);
  Tensor dst = Tensor::empty(Shape(dims), dtype, a.src.device());
  if (dst.size() == 0) return dst;
  if (p.k == 0) {
    std::memset(dst.mutable_data(), 0, dst.nbytes());
    return a.bias.defined() ? binary({BinaryOp::add, dst, a.bias}) : dst;
  }
  if (dtype == DType::float32) return matmul_dnnl(a, p, dst, dnnl::memory::data_type::f32);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                  std::is_same_v<T, uint8_t>) {
      matmul_loops<T>(a, p, dst);
    }
  });
  return dst;
}

}  // namespace keras::kernels::cpu
