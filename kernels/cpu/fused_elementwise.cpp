#include <keras/kernels/cpu/fused_elementwise.h>

#include <keras/kernels/cpu/eltwise_dnnl.h>
#include <keras/kernels/cpu/loops.h>
#include <keras/kernels/cpu/scalar_ops.h>

#include <algorithm>
#include <type_traits>
#include <utility>

namespace keras::kernels::cpu {

namespace {

// Elements per block: a dozen registers of this many doubles stay within L1/L2, and each step's
// loop is long enough to amortise its dispatch.
constexpr int64_t kBlock = 512;
constexpr size_t kUnaryOps = static_cast<size_t>(UnaryOp::isfinite) + 1;
constexpr size_t kBinaryOps = static_cast<size_t>(BinaryOp::logical_xor) + 1;

// Calls f(std::integral_constant<E, op>) so that each op gets its own loop, with the formula's
// switch folded away and the loop free to vectorise.
template <class E, size_t... I, class F>
void with_constant(E op, std::index_sequence<I...>, F&& f) {
  (void)((static_cast<E>(I) == op ? (f(std::integral_constant<E, static_cast<E>(I)>{}), true) : false) || ...);
}

template <class C>
void run_step(const FusedStep& s, const C* a, const C* b, C* d, int64_t n) {
  switch (s.kind) {
    case FusedStep::Kind::unary:
      with_constant(static_cast<UnaryOp>(s.op), std::make_index_sequence<kUnaryOps>{}, [&](auto op) {
        const double alpha = s.alpha;
        for (int64_t i = 0; i < n; ++i) d[i] = apply_unary<C>(op, a[i], alpha);
      });
      break;
    case FusedStep::Kind::predicate:
      with_constant(static_cast<UnaryOp>(s.op), std::make_index_sequence<kUnaryOps>{}, [&](auto op) {
        for (int64_t i = 0; i < n; ++i) d[i] = apply_predicate<C>(op, a[i]) ? C{1} : C{0};
      });
      break;
    case FusedStep::Kind::binary:
      with_constant(static_cast<BinaryOp>(s.op), std::make_index_sequence<kBinaryOps>{}, [&](auto op) {
        const BinaryFn<C> fn{op};
        for (int64_t i = 0; i < n; ++i) d[i] = fn(a[i], b[i]);
      });
      break;
    case FusedStep::Kind::compare:
      with_constant(static_cast<BinaryOp>(s.op), std::make_index_sequence<kBinaryOps>{}, [&](auto op) {
        const CompareFn<C> fn{op};
        for (int64_t i = 0; i < n; ++i) d[i] = fn(a[i], b[i]) ? C{1} : C{0};
      });
      break;
    case FusedStep::Kind::to_bool:
      for (int64_t i = 0; i < n; ++i) d[i] = a[i] != C{0} ? C{1} : C{0};
      break;
  }
}

// How an operand reaches its register.
struct Operand {
  enum class Mode : uint8_t { direct, scalar, convert, broadcast };
  Mode mode;
  const void* data;
  DType dtype;
  BroadcastLoop<1> loop;  // broadcast: the operand's strides over the output
};

// Converts elements [start, start + n) of the operand, as the output's flat index sees them, to C.
template <class C>
void load(const Operand& o, int64_t start, int64_t n, C* dst) {
  visit_dtype(o.dtype, [&](auto tag) {
    using D = decltype(tag);
    const D* p = static_cast<const D*>(o.data);
    if (o.mode == Operand::Mode::convert) {
      for (int64_t i = 0; i < n; ++i) dst[i] = element_cast<C>(p[start + i]);
      return;
    }
    const std::vector<int64_t>& dims = o.loop.dims;
    const std::vector<int64_t>& strides = o.loop.strides[0];
    const size_t rank = dims.size();
    std::vector<int64_t> idx(rank, 0);
    int64_t off = 0;
    for (size_t d = rank, rest = static_cast<size_t>(start); d-- > 0;) {
      idx[d] = static_cast<int64_t>(rest % static_cast<size_t>(dims[d]));
      rest /= static_cast<size_t>(dims[d]);
      off += idx[d] * strides[d];
    }
    const int64_t inner = dims[rank - 1], step = strides[rank - 1];
    for (int64_t i = 0; i < n;) {
      // A run along the innermost dim, then a carry into the outer ones.
      const int64_t run = std::min(n - i, inner - idx[rank - 1]);
      for (int64_t j = 0; j < run; ++j) dst[i + j] = element_cast<C>(p[off + j * step]);
      i += run;
      off += run * step;
      idx[rank - 1] += run;
      for (size_t d = rank - 1; d > 0 && idx[d] == dims[d]; --d) {
        off += strides[d - 1] - idx[d] * strides[d];
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  });
}

template <class C>
void run_program(const FusedProgram& program, const std::vector<Operand>& operands, const Tensor& dst) {
  const int64_t n = dst.size();
  const size_t k = operands.size();
  const size_t registers = k + program.steps.size();
  const size_t result = static_cast<size_t>(program.result);
  // The last step writes straight into the output when it is the result and of the output's dtype.
  const bool direct_out = dst.dtype() == program.compute && !program.steps.empty() && result == registers - 1;
  void* out = dst.mutable_data();
  bool transcendental = false;
  for (const FusedStep& s : program.steps) {
    if (s.kind == FusedStep::Kind::unary) {
      const auto op = static_cast<UnaryOp>(s.op);
      transcendental = transcendental || !(op <= UnaryOp::sign || op == UnaryOp::relu);
    }
    if (s.kind == FusedStep::Kind::binary && static_cast<BinaryOp>(s.op) == BinaryOp::power) transcendental = true;
  }
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  parallel_for(blocks, kBlock * (transcendental ? 16 : 1), [&](int64_t first, int64_t last) {
    std::vector<C> scratch(registers * static_cast<size_t>(kBlock));
    std::vector<const C*> reg(registers, nullptr);
    auto own = [&](size_t r) { return scratch.data() + r * static_cast<size_t>(kBlock); };
    for (size_t i = 0; i < k; ++i) {
      if (operands[i].mode != Operand::Mode::scalar) continue;
      C v{};
      visit_dtype(operands[i].dtype, [&](auto tag) {
        v = element_cast<C>(*static_cast<const decltype(tag)*>(operands[i].data));
      });
      std::fill(own(i), own(i) + kBlock, v);
      reg[i] = own(i);
    }
    for (int64_t block = first; block < last; ++block) {
      const int64_t start = block * kBlock;
      const int64_t len = std::min(kBlock, n - start);
      for (size_t i = 0; i < k; ++i) {
        const Operand& o = operands[i];
        if (o.mode == Operand::Mode::direct) {
          reg[i] = static_cast<const C*>(o.data) + start;
        } else if (o.mode != Operand::Mode::scalar) {
          load(o, start, len, own(i));
          reg[i] = own(i);
        }
      }
      for (size_t s = 0; s < program.steps.size(); ++s) {
        const FusedStep& step = program.steps[s];
        const size_t r = k + s;
        C* d = direct_out && r == result ? static_cast<C*>(out) + start : own(r);
        run_step<C>(step, reg[static_cast<size_t>(step.a)], step.b >= 0 ? reg[static_cast<size_t>(step.b)] : nullptr,
                    d, len);
        reg[r] = d;
      }
      if (direct_out) continue;
      const C* res = reg[result];
      visit_dtype(dst.dtype(), [&](auto tag) {
        using D = decltype(tag);
        D* o = static_cast<D*>(out) + start;
        for (int64_t i = 0; i < len; ++i) o[i] = element_cast<D>(res[i]);
      });
    }
  });
}

}  // namespace

bool fused_io_dtype(DType dtype) {
  switch (dtype) {
    case DType::bool_: case DType::uint8: case DType::int32: case DType::int64: case DType::float32: case DType::float64:
      return true;
    default:
      return false;
  }
}

bool fusable_unary(UnaryOp op, double alpha, DType dtype, int64_t size) {
  return (dtype == DType::float32 || dtype == DType::float64) && !unary_may_use_dnnl(op, alpha, dtype, size);
}

Tensor fused_elementwise(const FusedProgram& program, const Tensors& operands, const Shape& shape, DType dtype) {
  if (program.compute != DType::float32 && program.compute != DType::float64) {
    throw ValueError("fused_elementwise: programs compute in float32 or float64, got " +
                     std::string(dtype_name(program.compute)));
  }
  if (!fused_io_dtype(dtype)) {
    throw ValueError("fused_elementwise: cannot store " + std::string(dtype_name(dtype)));
  }
  const size_t registers = operands.size() + program.steps.size();
  for (size_t s = 0; s < program.steps.size(); ++s) {
    const FusedStep& step = program.steps[s];
    const bool two = step.kind == FusedStep::Kind::binary || step.kind == FusedStep::Kind::compare;
    const auto before = static_cast<int>(operands.size() + s);
    if (step.a < 0 || step.a >= before || (two && (step.b < 0 || step.b >= before))) {
      throw ValueError("fused_elementwise: step " + std::to_string(s) + " reads a register not yet written");
    }
  }
  if (program.result < 0 || static_cast<size_t>(program.result) >= registers) {
    throw ValueError("fused_elementwise: the result register " + std::to_string(program.result) + " does not exist");
  }
  std::vector<Operand> ops;
  for (const Tensor& t : operands) {
    if (!fused_io_dtype(t.dtype())) {
      throw ValueError("fused_elementwise: cannot load " + std::string(dtype_name(t.dtype())));
    }
    if (!t.device().is_cpu()) throw ValueError("fused_elementwise: operands must be on the CPU");
    Operand o{Operand::Mode::convert, t.data(), t.dtype(), {}};
    if (t.size() == 1) {
      o.mode = Operand::Mode::scalar;
    } else if (t.shape() == shape) {
      o.mode = t.dtype() == program.compute ? Operand::Mode::direct : Operand::Mode::convert;
    } else {
      if (broadcast_shapes(t.shape(), shape, "fused_elementwise") != shape) {
        throw ValueError("fused_elementwise: operand " + t.shape().str() + " does not broadcast to " + shape.str());
      }
      o.mode = Operand::Mode::broadcast;
      o.loop = make_broadcast_loop<1>(shape, {broadcast_strides(t.shape(), shape)});
    }
    ops.push_back(std::move(o));
  }
  Tensor dst = Tensor::empty(shape, dtype);
  if (program.compute == DType::float32) {
    run_program<float>(program, ops, dst);
  } else {
    run_program<double>(program, ops, dst);
  }
  return dst;
}

}  // namespace keras::kernels::cpu
