#pragma once
#include <keras/core/tensor.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <variant>

/// keras.ops control flow: cond, while_loop, fori_loop, scan, with Keras 3's signatures.
///
/// Eagerly they read the predicate on the host and run the chosen branch or the loop's iterations
/// as ordinary ops, so an active GradientTape differentiates through exactly the ops that ran.
/// While a keras::function trace is active (detail::tracing_active()), they hand the callables to
/// the tracer instead (core/graph/control_flow.cpp), which records them as cond / while / scan nodes
/// over sub-graphs rather than baking in the branch the trace-time values happened to choose.
/// Traced, a tape differentiates through cond and scan (and fori_loop with integer bounds, a scan);
/// a gradient through a traced while_loop raises NotImplementedError, as in JAX.
namespace keras::ops {

/// A value callable of cond with several outputs (Keras's nested structures, flattened).
using BranchFn = std::function<Tensors()>;
/// while_loop's `cond`: the loop variables to a scalar boolean (or numeric, nonzero = true) tensor.
using LoopCondFn = std::function<Tensor(const Tensors&)>;
/// while_loop's `body`: the loop variables to their next values (same count, shapes and dtypes).
using LoopBodyFn = std::function<Tensors(const Tensors&)>;
/// scan's `f`: (carry, x slices) to (new carry, y slices). An undefined y slice means None.
using ScanFn = std::function<std::pair<Tensors, Tensors>(const Tensors&, const Tensors&)>;
/// scan's `unroll`: a positive count of iterations per rolled step, or true (fully) / false (none).
using ScanUnroll = std::variant<bool, int64_t>;

/// keras.ops.cond: true_fn() when pred holds, else false_fn(). pred is a scalar boolean tensor (a
/// numeric scalar counts as nonzero = true). Both callables must return tensors of one structure,
/// shape and dtype; eagerly only the chosen one runs, so only a trace can compare them.
Tensor cond(const Tensor& pred, const std::function<Tensor()>& true_fn, const std::function<Tensor()>& false_fn);
Tensors cond(const Tensor& pred, const BranchFn& true_fn, const BranchFn& false_fn);
/// A host bool is known when the call is made (Python's `if`): the chosen callable simply runs.
Tensor cond(bool pred, const std::function<Tensor()>& true_fn, const std::function<Tensor()>& false_fn);
Tensors cond(bool pred, const BranchFn& true_fn, const BranchFn& false_fn);

/// keras.ops.while_loop: while cond(loop_vars): loop_vars = body(loop_vars). Stops after
/// maximum_iterations iterations when given (Keras ANDs cond with the iteration count). The body
/// must keep each loop variable's shape and dtype.
Tensors while_loop(const LoopCondFn& cond, const LoopBodyFn& body, const Tensors& loop_vars,
                   std::optional<int64_t> maximum_iterations = std::nullopt);
Tensor while_loop(const std::function<Tensor(const Tensor&)>& cond, const std::function<Tensor(const Tensor&)>& body,
                  const Tensor& loop_vars, std::optional<int64_t> maximum_iterations = std::nullopt);

/// keras.ops.fori_loop: for i in [lower, upper): val = body_fun(i, val). i is a scalar tensor of
/// the bounds' dtype (int32 for C++ integers), so a traced body sees it as a value, not a constant.
/// Traced, tensor bounds make a while loop and integer bounds a scan of upper - lower steps.
Tensor fori_loop(const Tensor& lower, const Tensor& upper,
                 const std::function<Tensor(const Tensor&, const Tensor&)>& body_fun, const Tensor& init_val);
Tensors fori_loop(const Tensor& lower, const Tensor& upper,
                  const std::function<Tensors(const Tensor&, const Tensors&)>& body_fun, const Tensors& init_val);
Tensor fori_loop(int64_t lower, int64_t upper, const std::function<Tensor(const Tensor&, const Tensor&)>& body_fun,
                 const Tensor& init_val);
Tensors fori_loop(int64_t lower, int64_t upper,
                  const std::function<Tensors(const Tensor&, const Tensors&)>& body_fun, const Tensors& init_val);

/// keras.ops.scan: carry = init; for each slice x of xs along axis 0: (carry, y) = f(carry, x);
/// returns (carry, ys stacked on a new axis 0). Without xs (empty / undefined), `length` gives the
/// iteration count and f receives undefined x. reverse runs from the last slice to the first and
/// stores each y at its slice's position. `unroll` is validated but, as no compiler runs here,
/// changes nothing: eagerly and replayed the steps run one at a time (JAX's results are the same
/// for every unroll). The carry keeps its shapes and dtypes.
std::pair<Tensor, Tensor> scan(const std::function<std::pair<Tensor, Tensor>(const Tensor&, const Tensor&)>& f,
                               const Tensor& init, const Tensor& xs = {}, std::optional<int64_t> length = std::nullopt,
                               bool reverse = false, ScanUnroll unroll = int64_t{1});
std::pair<Tensors, Tensors> scan(const ScanFn& f, const Tensors& init, const Tensors& xs = {},
                                 std::optional<int64_t> length = std::nullopt, bool reverse = false,
                                 ScanUnroll unroll = int64_t{1});

}  // namespace keras::ops

namespace keras::detail {

/// What a graph tracer (keras::function) implements to record control flow. The ops validate
/// their arguments first and wrap the callables so that every traced call of them checks its
/// outputs (structure, shapes, dtypes) with Keras's messages; a tracer only records and replays.
class ControlFlowTracer {
 public:
  virtual ~ControlFlowTracer() = default;
  /// False while the tracer is installed but not recording (e.g. host code run by a traced function):
  /// the ops then run eagerly.
  virtual bool active() const { return true; }
  /// Records both branches as subgraphs and a node choosing between them by pred's value at run
  /// time; returns the node's outputs (one per branch output).
  virtual Tensors cond(const Tensor& pred, const ops::BranchFn& true_fn, const ops::BranchFn& false_fn) = 0;
  /// Records cond and body once each as subgraphs and a loop node; maximum_iterations bounds it.
  virtual Tensors while_loop(const ops::LoopCondFn& cond, const ops::LoopBodyFn& body, const Tensors& loop_vars,
                             std::optional<int64_t> maximum_iterations) = 0;
  /// Records f as a subgraph and a loop node over `length` slices of xs (all of leading size
  /// length; f gets undefined x when xs is empty); returns (final carry, stacked ys).
  /// unroll: iterations per rolled step (>= 1; `length` when fully unrolled).
  virtual std::pair<Tensors, Tensors> scan(const ops::ScanFn& f, const Tensors& init, const Tensors& xs, int64_t length,
                                           bool reverse, int64_t unroll) = 0;
};

/// True while a tracer is installed on this thread (a keras::function trace is running).
bool tracing_active();
/// The installed tracer, or nullptr.
ControlFlowTracer* control_flow_tracer();

/// Installs `tracer` on this thread for the scope's lifetime (restoring the previous one after).
class ControlFlowTracerScope {
 public:
  explicit ControlFlowTracerScope(ControlFlowTracer* tracer);
  ~ControlFlowTracerScope();
  ControlFlowTracerScope(const ControlFlowTracerScope&) = delete;
  ControlFlowTracerScope& operator=(const ControlFlowTracerScope&) = delete;

 private:
  ControlFlowTracer* previous_;
};

}  // namespace keras::detail
