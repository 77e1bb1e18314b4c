#include <keras/core/ops/control_flow.h>

#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/manipulation.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace keras::detail {

namespace {
thread_local ControlFlowTracer* current_tracer = nullptr;
}  // namespace

bool tracing_active() { return current_tracer != nullptr && current_tracer->active(); }
ControlFlowTracer* control_flow_tracer() { return current_tracer; }

ControlFlowTracerScope::ControlFlowTracerScope(ControlFlowTracer* tracer) : previous_(current_tracer) {
  current_tracer = tracer;
}
ControlFlowTracerScope::~ControlFlowTracerScope() { current_tracer = previous_; }

}  // namespace keras::detail

namespace keras::ops {

namespace {

std::string spec(const Tensor& t) {
  if (!t.defined()) return "None";
  return "(shape=" + t.shape().str() + ", dtype=" + std::string(dtype_name(t.dtype())) + ")";
}

std::string specs(const Tensors& ts) {
  std::string s = "[";
  for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + spec(ts[i]);
  return s + "]";
}

bool same_spec(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) return a.defined() == b.defined();
  return a.shape() == b.shape() && a.dtype() == b.dtype();
}

bool same_specs(const Tensors& a, const Tensors& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_spec(a[i], b[i])) return false;
  }
  return true;
}

// A predicate must be a defined scalar; bool or numeric (nonzero = true), as jax.lax.cond takes it.
void check_predicate(const Tensor& pred, std::string_view op, std::string_view what) {
  if (!pred.defined()) {
    throw ValueError(std::string(op) + ": `" + std::string(what) + "` is None; expected a scalar boolean tensor");
  }
  if (pred.rank() != 0) {
    throw ValueError(std::string(op) + ": `" + std::string(what) + "` must be a scalar boolean tensor, got shape " +
                     pred.shape().str() + " and dtype " + std::string(dtype_name(pred.dtype())));
  }
}

bool read_predicate(const Tensor& pred, std::string_view op, std::string_view what) {
  check_predicate(pred, op, what);
  return pred.item<bool>();
}

// The next loop-carried values must match the entering ones in count, shape and dtype, as
// tf.while_loop and jax.lax.while_loop require.
void check_carried(const Tensors& entering, const Tensors& next, std::string_view op, std::string_view fn,
                   std::string_view noun) {
  if (next.size() != entering.size()) {
    throw ValueError(std::string(op) + ": `" + std::string(fn) + "` returned " + std::to_string(next.size()) + " " +
                     std::string(noun) + " values for " + std::to_string(entering.size()) + " " + std::string(noun) +
                     " values entering the loop");
  }
  for (size_t i = 0; i < next.size(); ++i) {
    if (!next[i].defined() || next[i].shape() != entering[i].shape() || next[i].dtype() != entering[i].dtype()) {
      throw ValueError(std::string(op) + ": " + std::string(noun) + " " + std::to_string(i) +
                       " enters the loop as " + spec(entering[i]) + " but `" + std::string(fn) + "` returned " +
                       spec(next[i]) + "; it must keep its shape and dtype across iterations");
    }
  }
}

void require_all_defined(const Tensors& ts, std::string_view op, std::string_view what) {
  for (size_t i = 0; i < ts.size(); ++i) {
    if (!ts[i].defined()) {
      throw ValueError(std::string(op) + ": " + std::string(what) + " " + std::to_string(i) + " is None");
    }
  }
}

// Traced branches: whichever the tracer records second is compared with the first, so a mismatch
// surfaces with Keras's message however the tracer orders them.
struct BranchCheck {
  std::optional<Tensors> first;
};

BranchFn checked_branch(const BranchFn& fn, const std::shared_ptr<BranchCheck>& check) {
  return [fn, check]() {
    Tensors out = fn();
    if (!check->first) {
      check->first = out;
    } else if (!same_specs(*check->first, out)) {
      throw ValueError("cond: `true_fn` and `false_fn` should return outputs of the same kind (struct, dtype and "
                       "shape). Got " + specs(*check->first) + " and " + specs(out) + " instead.");
    }
    return out;
  };
}

Tensor single(const Tensors& ts) { return ts.at(0); }

}  // namespace

Tensors cond(const Tensor& pred, const BranchFn& true_fn, const BranchFn& false_fn) {
  if (keras::detail::tracing_active()) {
    check_predicate(pred, "cond", "pred");
    auto check = std::make_shared<BranchCheck>();
    return keras::detail::control_flow_tracer()->cond(pred, checked_branch(true_fn, check),
                                                      checked_branch(false_fn, check));
  }
  return read_predicate(pred, "cond", "pred") ? true_fn() : false_fn();
}

Tensor cond(const Tensor& pred, const std::function<Tensor()>& true_fn, const std::function<Tensor()>& false_fn) {
  // Captured by value: a tracer may keep the callables after this call returns.
  return single(cond(pred, BranchFn([true_fn] { return Tensors{true_fn()}; }),
                     BranchFn([false_fn] { return Tensors{false_fn()}; })));
}

Tensors cond(bool pred, const BranchFn& true_fn, const BranchFn& false_fn) { return pred ? true_fn() : false_fn(); }

Tensor cond(bool pred, const std::function<Tensor()>& true_fn, const std::function<Tensor()>& false_fn) {
  return pred ? true_fn() : false_fn();
}

Tensors while_loop(const LoopCondFn& cond, const LoopBodyFn& body, const Tensors& loop_vars,
                   std::optional<int64_t> maximum_iterations) {
  require_all_defined(loop_vars, "while_loop", "loop variable");
  if (maximum_iterations && *maximum_iterations < 0) {
    throw ValueError("while_loop: `maximum_iterations` must be non-negative, got " +
                     std::to_string(*maximum_iterations));
  }
  if (keras::detail::tracing_active()) {
    LoopCondFn checked_cond = [cond](const Tensors& vars) {
      Tensor c = cond(vars);
      check_predicate(c, "while_loop", "cond");
      return c;
    };
    LoopBodyFn checked_body = [body, loop_vars](const Tensors& vars) {
      Tensors next = body(vars);
      check_carried(loop_vars, next, "while_loop", "body", "loop variable");
      return next;
    };
    return keras::detail::control_flow_tracer()->while_loop(checked_cond, checked_body, loop_vars, maximum_iterations);
  }
  Tensors vars = loop_vars;
  for (int64_t i = 0; !maximum_iterations || i < *maximum_iterations; ++i) {
    if (!read_predicate(cond(vars), "while_loop", "cond")) break;
    Tensors next = body(vars);
    check_carried(loop_vars, next, "while_loop", "body", "loop variable");
    vars = std::move(next);
  }
  return vars;
}

Tensor while_loop(const std::function<Tensor(const Tensor&)>& cond, const std::function<Tensor(const Tensor&)>& body,
                  const Tensor& loop_vars, std::optional<int64_t> maximum_iterations) {
  return single(while_loop([cond](const Tensors& v) { return cond(v[0]); },
                           [body](const Tensors& v) { return Tensors{body(v[0])}; }, Tensors{loop_vars},
                           maximum_iterations));
}

// Lowered to while_loop over (i, state...), as Keras's TensorFlow and JAX backends do, so that a
// trace records one loop whose counter is a value.
Tensors fori_loop(const Tensor& lower, const Tensor& upper,
                  const std::function<Tensors(const Tensor&, const Tensors&)>& body_fun, const Tensors& init_val) {
  for (const Tensor* bound : {&lower, &upper}) {
    detail::require_defined(*bound, "fori_loop");
    if (bound->rank() != 0 || !is_integer(bound->dtype())) {
      throw ValueError("fori_loop: `lower` and `upper` must be scalar integers, got " + spec(*bound));
    }
  }
  require_all_defined(init_val, "fori_loop", "loop state");
  Tensors vars{lower};
  vars.insert(vars.end(), init_val.begin(), init_val.end());
  const Tensors out = while_loop(
      [upper](const Tensors& v) { return less(v[0], upper); },
      [body_fun, init_val](const Tensors& v) {
        const Tensors state(v.begin() + 1, v.end());
        Tensors next = body_fun(v[0], state);
        check_carried(init_val, next, "fori_loop", "body_fun", "loop state");
        next.insert(next.begin(), add(v[0], scalar_like(1, v[0])));
        return next;
      },
      vars);
  return Tensors(out.begin() + 1, out.end());
}

Tensor fori_loop(const Tensor& lower, const Tensor& upper,
                 const std::function<Tensor(const Tensor&, const Tensor&)>& body_fun, const Tensor& init_val) {
  return single(fori_loop(
      lower, upper, [body_fun](const Tensor& i, const Tensors& s) { return Tensors{body_fun(i, s[0])}; },
      Tensors{init_val}));
}

namespace {

// A C++ integer bound as a Python int would become: int32 when it fits, else int64.
Tensor bound_tensor(int64_t v, bool wide) {
  return wide ? Tensor::scalar(v) : Tensor::scalar(static_cast<int32_t>(v));
}

bool needs_int64(int64_t a, int64_t b) {
  constexpr int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  return a < lo || a > hi || b < lo || b > hi;
}

}  // namespace

Tensors fori_loop(int64_t lower, int64_t upper,
                  const std::function<Tensors(const Tensor&, const Tensors&)>& body_fun, const Tensors& init_val) {
  const bool wide = needs_int64(lower, upper);
  if (!keras::detail::tracing_active()) {
    return fori_loop(bound_tensor(lower, wide), bound_tensor(upper, wide), body_fun, init_val);
  }
  // Static bounds trace as a scan of upper - lower steps (as jax.lax.fori_loop does), which a tape
  // can differentiate, unlike a while loop.
  require_all_defined(init_val, "fori_loop", "loop state");
  if (upper <= lower) return init_val;
  Tensors carry{bound_tensor(lower, wide)};
  carry.insert(carry.end(), init_val.begin(), init_val.end());
  const auto out = scan(
      ScanFn([body_fun, init_val](const Tensors& c, const Tensors&) {
        Tensors next = body_fun(c[0], Tensors(c.begin() + 1, c.end()));
        check_carried(init_val, next, "fori_loop", "body_fun", "loop state");
        next.insert(next.begin(), add(c[0], scalar_like(1, c[0])));
        return std::pair<Tensors, Tensors>{std::move(next), Tensors{}};
      }),
      carry, {}, upper - lower).first;
  return Tensors(out.begin() + 1, out.end());
}

Tensor fori_loop(int64_t lower, int64_t upper, const std::function<Tensor(const Tensor&, const Tensor&)>& body_fun,
                 const Tensor& init_val) {
  return single(fori_loop(
      lower, upper, [body_fun](const Tensor& i, const Tensors& s) { return Tensors{body_fun(i, s[0])}; },
      Tensors{init_val}));
}

std::pair<Tensors, Tensors> scan(const ScanFn& f, const Tensors& init, const Tensors& xs,
                                 std::optional<int64_t> length, bool reverse, ScanUnroll unroll) {
  require_all_defined(init, "scan", "init value");
  require_all_defined(xs, "scan", "xs value");
  int64_t n = 0;
  if (xs.empty()) {
    if (!length) throw ValueError("scan: pass `xs` to scan over, or `length` to scan without it");
    n = *length;
  } else {
    for (const Tensor& x : xs) {
      if (x.rank() == 0) throw ValueError("scan: xs must have a leading axis to scan over, got " + spec(x));
    }
    n = xs[0].shape()[0];
    for (const Tensor& x : xs) {
      if (x.shape()[0] != n) {
        throw ValueError("scan: every xs value must have the same leading dimension, got shapes " +
                         xs[0].shape().str() + " and " + x.shape().str());
      }
    }
    if (length && *length != n) {
      throw ValueError("scan: `length` " + std::to_string(*length) + " does not match the leading dimension " +
                       std::to_string(n) + " of xs");
    }
  }
  if (n < 0) throw ValueError("scan: `length` must be non-negative, got " + std::to_string(n));
  int64_t unroll_steps = 1;
  if (const bool* full = std::get_if<bool>(&unroll)) {
    unroll_steps = *full ? std::max<int64_t>(n, 1) : 1;
  } else {
    unroll_steps = std::get<int64_t>(unroll);
    if (unroll_steps < 1) {
      throw ValueError("scan: `unroll` must be a positive integer or a boolean, got " + std::to_string(unroll_steps));
    }
  }
  if (n == 0) {
    // NOTE: ys's shape comes from f's output, which only an abstract evaluation of f could give.
    throw NotImplementedError("scan: a scan of length 0 is not supported (the shape of ys is only known by running f)");
  }

  // Each step's y must match the first step's, as stacking them requires.
  auto ys_spec = std::make_shared<std::optional<Tensors>>();
  ScanFn checked_f = [f, init, ys_spec](const Tensors& carry, const Tensors& x) {
    auto [next, y] = f(carry, x);
    check_carried(init, next, "scan", "f", "carry");
    if (!*ys_spec) {
      *ys_spec = y;
    } else if (!same_specs(**ys_spec, y)) {
      throw ValueError("scan: `f` must return y slices of one structure, shape and dtype at every step, got " +
                       specs(**ys_spec) + " and then " + specs(y));
    }
    return std::pair<Tensors, Tensors>{std::move(next), std::move(y)};
  };
  if (keras::detail::tracing_active()) {
    return keras::detail::control_flow_tracer()->scan(checked_f, init, xs, n, reverse, unroll_steps);
  }

  // One split per scanned tensor (a single recorded op) rather than n slices.
  std::vector<Tensors> slices(static_cast<size_t>(n));
  for (const Tensor& x : xs) {
    const Tensors pieces = split(x, n, 0);
    std::vector<int64_t> dims(x.shape().dims().begin() + 1, x.shape().dims().end());
    for (size_t i = 0; i < pieces.size(); ++i) slices[i].push_back(reshape(pieces[i], Shape(dims)));
  }
  Tensors carry = init;
  std::vector<Tensors> ys(static_cast<size_t>(n));
  for (int64_t step = 0; step < n; ++step) {
    const size_t i = static_cast<size_t>(reverse ? n - 1 - step : step);
    Tensors x = xs.empty() ? Tensors{} : slices[i];
    auto [next, y] = checked_f(carry, x);
    carry = std::move(next);
    ys[i] = std::move(y);
  }
  Tensors stacked;
  for (size_t j = 0; j < ys[0].size(); ++j) {
    if (!ys[0][j].defined()) {
      stacked.emplace_back();
      continue;
    }
    Tensors column;
    for (const Tensors& y : ys) column.push_back(y[j]);
    stacked.push_back(stack(column, 0));
  }
  return {carry, stacked};
}

std::pair<Tensor, Tensor> scan(const std::function<std::pair<Tensor, Tensor>(const Tensor&, const Tensor&)>& f,
                               const Tensor& init, const Tensor& xs, std::optional<int64_t> length, bool reverse,
                               ScanUnroll unroll) {
  auto [carry, ys] = scan(
      [f](const Tensors& c, const Tensors& x) {
        auto [next, y] = f(c[0], x.empty() ? Tensor() : x[0]);
        return std::pair<Tensors, Tensors>{Tensors{next}, Tensors{y}};
      },
      Tensors{init}, xs.defined() ? Tensors{xs} : Tensors{}, length, reverse, unroll);
  return {carry[0], ys[0]};
}

}  // namespace keras::ops
