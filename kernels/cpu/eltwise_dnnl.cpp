#include <keras/kernels/cpu/eltwise_dnnl.h>

#include <keras/kernels/cpu/dnnl_context.h>
#include <keras/kernels/cpu/loops.h>
#include <keras/kernels/cpu/scalar_ops.h>

#include <bit>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace keras::kernels::cpu {

namespace {

using dnnl::algorithm;

// Sizes from which oneDNN beats the loops, timed through ops with one and two OpenMP threads on
// AVX-512: it costs a few microseconds per call (more when it forks threads for a small tensor),
// won back sooner by ops whose loop is slow (tanh, gelu: 20-30 ns an element) than by cheap ones
// (relu, exp, add: 1-5 ns). From 64k elements it is 5-50 times faster.
constexpr int64_t kMinTranscendental = 1024;
constexpr int64_t kMinCheap = 4096;
constexpr int64_t kMinBinary = 8192;

struct Step {
  algorithm alg;
  float alpha = 0.f;
  float beta = 0.f;
};

struct Recipe {
  Step step;
  // NOTE: a second eltwise, run in place on dst. Not a post-op: 2.6 runs eltwise with an eltwise
  // post-op on its reference implementation, which returns zeros.
  std::optional<Step> then;
  int64_t min_size;
  bool restore_nan = false;  // oneDNN 2.6 turns NaN into 0 (relu, clip) or inf (exp)
};

// NOTE: some ops stay on the loops because oneDNN 2.6 disagrees with them: soft_relu (softplus) is
// off by up to 8e-6 for x < 0 (softplus(-20) comes out negative), log by ~15 ulp and on denormals,
// and pow(x, -0.5) for rsqrt gives 0 at -inf. sin, cos, erf, log1p, expm1, floor, ceil, sign and
// softsign have no eltwise algorithm.
std::optional<Recipe> recipe_for(UnaryOp op, double alpha) {
  const float a = static_cast<float>(alpha);
  switch (op) {
    case UnaryOp::relu: return Recipe{{algorithm::eltwise_relu}, {}, kMinCheap, true};
    case UnaryOp::leaky_relu: return Recipe{{algorithm::eltwise_relu, a}, {}, kMinCheap, true};
    case UnaryOp::relu6: return Recipe{{algorithm::eltwise_clip_v2, 0.f, 6.f}, {}, kMinCheap, true};
    case UnaryOp::hard_sigmoid:
      return Recipe{{algorithm::eltwise_linear, 1.f / 6.f, 0.5f}, Step{algorithm::eltwise_clip_v2, 0.f, 1.f},
                    kMinCheap, true};
    case UnaryOp::negative: return Recipe{{algorithm::eltwise_linear, -1.f, 0.f}, {}, kMinCheap};
    case UnaryOp::abs: return Recipe{{algorithm::eltwise_abs}, {}, kMinCheap};
    case UnaryOp::square: return Recipe{{algorithm::eltwise_square}, {}, kMinCheap};
    case UnaryOp::sqrt: return Recipe{{algorithm::eltwise_sqrt}, {}, kMinCheap};
    case UnaryOp::reciprocal: return Recipe{{algorithm::eltwise_pow, 1.f, -1.f}, {}, kMinCheap};
    case UnaryOp::round: return Recipe{{algorithm::eltwise_round}, {}, kMinCheap};  // half to even, as nearbyint
    case UnaryOp::elu: return Recipe{{algorithm::eltwise_elu, a}, {}, kMinTranscendental};
    case UnaryOp::selu:
      return Recipe{{algorithm::eltwise_elu, static_cast<float>(kSeluAlpha)}, Step{algorithm::eltwise_linear, static_cast<float>(kSeluScale), 0.f},
                    kMinTranscendental};
    case UnaryOp::gelu: return Recipe{{algorithm::eltwise_gelu_erf}, {}, kMinTranscendental};
    case UnaryOp::gelu_tanh: return Recipe{{algorithm::eltwise_gelu_tanh}, {}, kMinTranscendental};
    case UnaryOp::silu: return Recipe{{algorithm::eltwise_swish, 1.f}, {}, kMinTranscendental};
    case UnaryOp::tanh: return Recipe{{algorithm::eltwise_tanh}, {}, kMinTranscendental};
    case UnaryOp::sigmoid: return Recipe{{algorithm::eltwise_logistic}, {}, kMinTranscendental};
    case UnaryOp::exp: return Recipe{{algorithm::eltwise_exp}, {}, kMinCheap, true};
    default: return std::nullopt;
  }
}

dnnl::memory memory_of(const dnnl::memory::desc& md, const Tensor& t) {
  return dnnl::memory(md, dnnl_engine(), const_cast<void*>(t.data()));
}

void execute(const dnnl::primitive& prim, const std::unordered_map<int, dnnl::memory>& margs, const char* kernel) {
  try {
    prim.execute(dnnl_stream(), margs);
    dnnl_stream().wait();
  } catch (const dnnl::error& e) {
    throw RuntimeError(std::string(kernel) + ": oneDNN failed with status " + std::to_string(e.status) + ": " +
                       e.what());
  }
}

dnnl::memory::desc dense_desc(const std::vector<int64_t>& dims) {
  return dnnl::memory::desc(dnnl::memory::dims(dims), dnnl::memory::data_type::f32,
                            dnnl::memory::dims(contiguous_strides(Shape(dims))));
}

// The cached primitive for one step over a 1-D float32 buffer; empty where this CPU lacks it.
dnnl::eltwise_forward eltwise_primitive(const Step& step, const dnnl::memory::desc& md) {
  std::string key;
  append_key(key, {static_cast<int64_t>(step.alg), std::bit_cast<int32_t>(step.alpha),
                   std::bit_cast<int32_t>(step.beta), md.dims()[0]});
  static PrimitiveCache<dnnl::eltwise_forward> cache;
  return cache.get(key, [&]() -> dnnl::eltwise_forward {
    try {
      const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, step.alg, md, step.alpha, step.beta);
      return dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(desc, dnnl_engine()));
    } catch (const dnnl::error&) {
      return {};  // cached as unavailable, so the loops run without asking again
    }
  });
}

}  // namespace

bool unary_may_use_dnnl(UnaryOp op, double alpha, DType dtype, int64_t size) {
  if (dtype != DType::float32) return false;
  const std::optional<Recipe> recipe = recipe_for(op, alpha);
  return recipe && size >= recipe->min_size;
}

bool unary_dnnl(const UnaryArgs& args, const Tensor& dst) {
  const Tensor& src = args.src;
  if (src.dtype() != DType::float32) return false;
  const std::optional<Recipe> recipe = recipe_for(args.op, args.alpha);
  const int64_t n = src.size();
  if (!recipe || n < recipe->min_size) return false;

  const dnnl::memory::desc md({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
  const dnnl::eltwise_forward first = eltwise_primitive(recipe->step, md);
  const dnnl::eltwise_forward then = recipe->then ? eltwise_primitive(*recipe->then, md) : dnnl::eltwise_forward();
  if (!first || (recipe->then && !then)) return false;
  execute(first, {{DNNL_ARG_SRC, memory_of(md, src)}, {DNNL_ARG_DST, memory_of(md, dst)}}, "unary");
  if (then) execute(then, {{DNNL_ARG_SRC, memory_of(md, dst)}, {DNNL_ARG_DST, memory_of(md, dst)}}, "unary");

  if (recipe->restore_nan) {
    const float* s = src.data<float>();
    float* d = dst.mutable_data<float>();
    parallel_for(n, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        if (std::isnan(s[i])) d[i] = s[i];
      }
    });
  }
  return true;
}

bool binary_dnnl(const BinaryArgs& args, const Tensor& dst) {
  algorithm alg;
  switch (args.op) {
    case BinaryOp::add: alg = algorithm::binary_add; break;
    case BinaryOp::subtract: alg = algorithm::binary_sub; break;
    case BinaryOp::multiply: alg = algorithm::binary_mul; break;
    case BinaryOp::divide: alg = algorithm::binary_div; break;
    // NOTE: maximum and minimum stay on the loops: oneDNN's binary_max/min drop a NaN in src0,
    // where NumPy propagates it.
    default: return false;
  }
  if (args.src0.dtype() != DType::float32 || dst.size() < kMinBinary || dst.rank() > DNNL_MAX_NDIMS) return false;

  // oneDNN broadcasts src1 only; add and multiply commute, so a broadcast src0 can swap sides.
  const Tensor* src0 = &args.src0;
  const Tensor* src1 = &args.src1;
  if (src0->shape() != dst.shape()) {
    const bool commutes = args.op == BinaryOp::add || args.op == BinaryOp::multiply;
    if (!commutes || src1->shape() != dst.shape()) return false;
    std::swap(src0, src1);
  }
  const std::vector<int64_t>& dims0 = dst.shape().dims();
  std::vector<int64_t> dims1(dims0.size() - static_cast<size_t>(src1->rank()), 1);
  dims1.insert(dims1.end(), src1->shape().begin(), src1->shape().end());

  std::string key;
  append_key(key, {static_cast<int64_t>(args.op)});
  for (int64_t d : dims0) append_key(key, {d});
  key += '|';
  for (int64_t d : dims1) append_key(key, {d});
  static PrimitiveCache<dnnl::binary> cache;
  const dnnl::memory::desc md0 = dense_desc(dims0), md1 = dense_desc(dims1);
  const dnnl::binary prim = cache.get(key, [&]() -> dnnl::binary {
    try {
      return dnnl::binary(dnnl::binary::primitive_desc(dnnl::binary::desc(alg, md0, md1, md0), dnnl_engine()));
    } catch (const dnnl::error&) {
      return {};
    }
  });
  if (!prim) return false;
  execute(prim, {{DNNL_ARG_SRC_0, memory_of(md0, *src0)}, {DNNL_ARG_SRC_1, memory_of(md1, *src1)},
                 {DNNL_ARG_DST, memory_of(md0, dst)}},
          "binary");
  return true;
}

}  // namespace keras::kernels::cpu
