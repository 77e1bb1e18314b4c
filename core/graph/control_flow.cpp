// ops::cond, ops::while_loop and ops::scan inside a traced keras::function: each callable is traced
// into a nested graph (core/graph/trace.cpp, trace_nested) and one control node replays them, reading
// the predicate on the host at replay, so values decide the branch and the iteration count per call.
#include <keras/core/graph/control_flow.h>
#include <keras/core/graph/graph.h>
#include <keras/core/graph/trace.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/reduction.h>
#include <keras/kernels/copy.h>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

namespace keras::graph::detail {

namespace {

// Every nested graph's captures once each, in first-seen order: the control node's inputs keep
// them alive until it runs.
Tensors merge_captures(const std::vector<Nested>& subs) {
  Tensors all;
  std::unordered_set<uint64_t> seen;
  for (const Nested& s : subs) {
    for (const Tensor& t : s.captures) {
      if (seen.insert(t.id()).second) all.push_back(t);
    }
  }
  return all;
}

// Variables a nested graph reads through the enclosing trace but that a loop also assigns: the
// loop must read them each iteration, so it is traced again with them local.
std::vector<const void*> loop_conflicts(const std::vector<Nested>& subs) {
  std::unordered_set<const void*> assigned;
  for (const Nested& s : subs) {
    for (const Variable& v : s.assigned) assigned.insert(v.handle());
  }
  std::vector<const void*> conflicts;
  for (const Nested& s : subs) {
    for (const void* h : s.read_through) {
      if (assigned.count(h) && std::find(conflicts.begin(), conflicts.end(), h) == conflicts.end()) conflicts.push_back(h);
    }
  }
  if (conflicts.empty()) return conflicts;
  // Every assigned variable: a retrace may read another one first.
  return std::vector<const void*>(assigned.begin(), assigned.end());
}

// Slice i of x along axis 0, without a copy (tensors are dense and row-major).
Tensor slice(const Tensor& x, int64_t i) {
  Suspend suspend;
  std::vector<int64_t> dims(x.shape().dims().begin() + 1, x.shape().dims().end());
  Shape shape(dims);
  const size_t bytes = static_cast<size_t>(shape.size()) * dtype_size(x.dtype());
  return Tensor::view(x.storage(), x.offset() + static_cast<size_t>(i) * bytes, std::move(shape), x.dtype());
}

Tensor stack(const Tensors& ys) {
  Tensors rows;
  for (const Tensor& y : ys) {
    std::vector<int64_t> dims{1};
    dims.insert(dims.end(), y.shape().dims().begin(), y.shape().dims().end());
    rows.push_back(Tensor::view(y.storage(), y.offset(), Shape(dims), y.dtype()));
  }
  return kernels::concatenate(rows, 0);
}

Tensors first(const Tensors& ts, size_t n) { return Tensors(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>(n)); }
Tensors concat(Tensors a, const Tensors& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// autograd::record for outputs some of which may be None (a tape records defined tensors only).
void record_gradient(const Tensors& outs, const Tensors& inputs, autograd::BackwardFn backward) {
  if (!autograd::tape_active()) return;
  Tensors defined;
  std::vector<size_t> where;
  for (size_t i = 0; i < outs.size(); ++i) {
    if (outs[i].defined()) {
      defined.push_back(outs[i]);
      where.push_back(i);
    }
  }
  if (defined.empty()) return;
  const size_t n = outs.size();
  autograd::record_op(defined, inputs, [backward, where, n](const Tensors& dys, const autograd::NeedsGrad& needs) {
    Tensors all(n);
    for (size_t k = 0; k < where.size(); ++k) all[where[k]] = dys[k];
    return backward(all, needs);
  });
}

// sum(y * dy) over the floating outputs with a gradient: its gradient is the vector-Jacobian product.
Tensor vjp_target(const Tensors& ys, const Tensors& dys) {
  Tensor target;
  for (size_t k = 0; k < ys.size() && k < dys.size(); ++k) {
    if (!ys[k].defined() || !is_floating(ys[k].dtype()) || !dys[k].defined()) continue;
    const Tensor term = ops::sum(ops::multiply(ys[k], dys[k]));
    target = target.defined() ? ops::add(target, term) : term;
  }
  return target;
}

// The gradients of `target` for `sources` (zeros where unconnected, so that every branch and step
// returns the same structure).
Tensors gradients(GradientTape& tape, const Tensor& target, const Tensors& sources) {
  if (!target.defined()) {
    Tensors zeros;
    for (const Tensor& s : sources) zeros.push_back(ops::zeros_like(s));
    return zeros;
  }
  return tape.gradient(target, sources, {.unconnected_gradients = UnconnectedGradients::zero});
}

// The gradient of a traced cond: another cond on the same predicate whose branches re-run the
// chosen branch under a tape and return the captures' gradients. Traced, it is a cond node too.
autograd::BackwardFn cond_backward(const Tensor& pred, const ops::BranchFn& true_fn, const ops::BranchFn& false_fn,
                                   const Tensors& captures) {
  return [pred, true_fn, false_fn, captures](const Tensors& dys, const autograd::NeedsGrad& needs) {
    auto gradient_of = [&](const ops::BranchFn& fn) {
      return ops::BranchFn([fn, captures, dys, needs] {
        GradientTape tape({.persistent = false, .watch_accessed_variables = false});
        Tensors sources;
        for (size_t i = 0; i < captures.size(); ++i) {
          if (!needs[i]) continue;
          tape.watch(captures[i]);
          sources.push_back(captures[i]);
        }
        const Tensor target = vjp_target(fn(), dys);
        return gradients(tape, target, sources);
      });
    };
    const Tensors grads = ops::cond(pred, gradient_of(true_fn), gradient_of(false_fn));
    Tensors result(captures.size());
    for (size_t i = 0, k = 0; i < captures.size(); ++i) {
      if (needs[i]) result[i] = grads[k++];
    }
    return result;
  };
}

// The gradient of a traced scan, itself two scans (traced, they are scan nodes): one recomputes the
// carry entering each step; one runs the steps the other way, re-running f under a tape to carry
// the carry's gradient back, stack the xs' gradients and sum the captures'.
autograd::BackwardFn scan_backward(const ops::ScanFn& f, const Tensors& init, const Tensors& xs, const Tensors& captures,
                                   int64_t length, bool reverse, size_t ny) {
  return [f, init, xs, captures, length, reverse, ny](const Tensors& dys, const autograd::NeedsGrad&) {
    const size_t nc = init.size(), nx = xs.size(), nk = captures.size();
    const Tensors entering = ops::scan(
        [f](const Tensors& c, const Tensors& x) { return std::pair<Tensors, Tensors>{f(c, x).first, c}; }, init, xs,
        length, reverse).second;
    // Per step: the entering carry, the x slices and the ys' gradients (those that have one).
    Tensors per_step = concat(entering, xs);
    std::vector<size_t> dy_index;
    for (size_t j = 0; j < ny; ++j) {
      if (dys[nc + j].defined() && is_floating(dys[nc + j].dtype())) {
        per_step.push_back(dys[nc + j]);
        dy_index.push_back(j);
      }
    }
    Tensors start;  // the carry's gradient, then the captures' sums
    for (size_t i = 0; i < nc; ++i) start.push_back(dys[i].defined() ? dys[i] : ops::zeros_like(init[i]));
    for (const Tensor& k : captures) start.push_back(ops::zeros_like(k));
    const auto [back, dxs] = ops::scan(
        // By value: traced, the scan keeps this callable for its own gradient.
        [f, captures, nc, nx, nk, ny, dy_index](const Tensors& carry, const Tensors& step) {
          const Tensors c(step.begin(), step.begin() + static_cast<std::ptrdiff_t>(nc));
          const Tensors x(step.begin() + static_cast<std::ptrdiff_t>(nc), step.begin() + static_cast<std::ptrdiff_t>(nc + nx));
          GradientTape tape({.persistent = false, .watch_accessed_variables = false});
          const Tensors sources = concat(concat(c, x), captures);
          for (const Tensor& t : sources) tape.watch(t);
          auto [next, y] = f(c, x);
          Tensors seeds = first(carry, nc);
          Tensors y_seeds(ny);
          for (size_t k = 0; k < dy_index.size(); ++k) y_seeds[dy_index[k]] = step[nc + nx + k];
          const Tensor target = vjp_target(concat(next, y), concat(seeds, y_seeds));
          const Tensors g = gradients(tape, target, sources);
          Tensors out = first(g, nc);
          for (size_t k = 0; k < nk; ++k) out.push_back(ops::add(carry[nc + k], g[nc + nx + k]));
          return std::pair<Tensors, Tensors>{out, Tensors(g.begin() + static_cast<std::ptrdiff_t>(nc), g.begin() + static_cast<std::ptrdiff_t>(nc + nx))};
        },
        start, per_step, length, !reverse);
    Tensors result = first(back, nc);
    result.insert(result.end(), dxs.begin(), dxs.end());
    result.insert(result.end(), back.begin() + static_cast<std::ptrdiff_t>(nc), back.end());
    return result;
  };
}

class GraphControlFlow final : public keras::detail::ControlFlowTracer {
 public:
  bool active() const override { return tracing(); }

  Tensors cond(const Tensor& pred, const ops::BranchFn& true_fn, const ops::BranchFn& false_fn) override {
    // A predicate the trace does not compute (a constant) is known now, as a Python bool would be.
    if (!is_traced(pred)) return pred.item<bool>() ? true_fn() : false_fn();
    std::vector<Nested> subs;
    subs.push_back(trace_nested([&](const Tensors&) { return true_fn(); }, {}));
    subs.push_back(trace_nested([&](const Tensors&) { return false_fn(); }, {}));
    const Tensors captures = merge_captures(subs);
    auto then_graph = subs[0].graph, else_graph = subs[1].graph;
    const Tensors outs = record_control("cond", "", concat({pred}, captures), subs,
                                        [then_graph, else_graph](const Tensors& ins) {
                                          return ins[0].item<bool>() ? then_graph->run({}) : else_graph->run({});
                                        });
    record_gradient(outs, captures, cond_backward(pred, true_fn, false_fn, captures));
    return outs;
  }

  Tensors while_loop(const ops::LoopCondFn& cond, const ops::LoopBodyFn& body, const Tensors& loop_vars,
                     std::optional<int64_t> maximum_iterations) override {
    auto trace_loop = [&](const std::vector<const void*>& local) {
      std::vector<Nested> subs;
      subs.push_back(trace_nested([&](const Tensors& v) { return Tensors{cond(v)}; }, loop_vars, local));
      subs.push_back(trace_nested(body, loop_vars, local));
      return subs;
    };
    std::vector<Nested> subs = trace_loop({});
    if (const auto local = loop_conflicts(subs); !local.empty()) subs = trace_loop(local);
    const Tensors captures = merge_captures(subs);
    const Tensors inputs = concat(loop_vars, captures);
    auto cond_graph = subs[0].graph, body_graph = subs[1].graph;
    const size_t n = loop_vars.size();
    const Tensors outs = record_control(
        "while", maximum_iterations ? "maximum_iterations=" + std::to_string(*maximum_iterations) : "", inputs, subs,
        [cond_graph, body_graph, n, maximum_iterations](const Tensors& ins) {
          Tensors vars = first(ins, n);
          for (int64_t i = 0; !maximum_iterations || i < *maximum_iterations; ++i) {
            if (!cond_graph->run(vars)[0].item<bool>()) break;
            vars = body_graph->run(vars);
          }
          return vars;
        });
    // Recorded only when a tape watches an input; the error comes when a gradient is asked for.
    record_gradient(outs, inputs, [](const Tensors&, const autograd::NeedsGrad&) -> Tensors {
      throw NotImplementedError(
          "while_loop: gradients through a while_loop traced in keras::function are not supported (its iteration "
          "count is only known when it runs; JAX cannot reverse-differentiate while_loop either). Use "
          "ops::fori_loop with static integer bounds or ops::scan, which are differentiable, or run eagerly.");
    });
    return outs;
  }

  std::pair<Tensors, Tensors> scan(const ops::ScanFn& f, const Tensors& init, const Tensors& xs, int64_t length,
                                   bool reverse, int64_t unroll) override {
    const size_t nc = init.size(), nx = xs.size();
    Tensors args = init;
    for (const Tensor& x : xs) args.push_back(slice(x, reverse ? length - 1 : 0));
    auto step = [&f, nc](const Tensors& a) {
      auto [next, y] = f(first(a, nc), Tensors(a.begin() + static_cast<std::ptrdiff_t>(nc), a.end()));
      return concat(std::move(next), y);
    };
    std::vector<Nested> subs;
    subs.push_back(trace_nested(step, args));
    if (const auto local = loop_conflicts(subs); !local.empty()) subs[0] = trace_nested(step, args, local);
    const size_t ny = subs[0].outputs.size() - nc;
    const Tensors captures = merge_captures(subs);
    auto graph = subs[0].graph;
    // unroll only groups iterations for a compiler (XLA); replay runs one step at a time, with the same results.
    const std::string attrs = "length=" + std::to_string(length) + " reverse=" + (reverse ? "true" : "false") +
                              " unroll=" + std::to_string(unroll);
    const Tensors outs = record_control(
        "scan", attrs, concat(concat(init, xs), captures), subs, [graph, nc, nx, ny, length, reverse](const Tensors& ins) {
          Tensors carry = first(ins, nc);
          std::vector<Tensors> ys(static_cast<size_t>(length));
          for (int64_t s = 0; s < length; ++s) {
            const int64_t i = reverse ? length - 1 - s : s;
            Tensors a = carry;
            for (size_t j = 0; j < nx; ++j) a.push_back(slice(ins[nc + j], i));
            Tensors out = graph->run(a);
            carry = first(out, nc);
            ys[static_cast<size_t>(i)] = Tensors(out.begin() + static_cast<std::ptrdiff_t>(nc), out.end());
          }
          Tensors result = carry;
          for (size_t j = 0; j < ny; ++j) {
            if (!ys[0][j].defined()) {
              result.emplace_back();
              continue;
            }
            Tensors column;
            for (const Tensors& y : ys) column.push_back(y[j]);
            result.push_back(stack(column));
          }
          return result;
        });
    record_gradient(outs, concat(concat(init, xs), captures), scan_backward(f, init, xs, captures, length, reverse, ny));
    return {first(outs, nc), Tensors(outs.begin() + static_cast<std::ptrdiff_t>(nc), outs.end())};
  }
};

}  // namespace

keras::detail::ControlFlowTracer& graph_control_flow() {
  static GraphControlFlow tracer;
  return tracer;
}

}  // namespace keras::graph::detail
