#pragma once
#include <keras/core/graph/graph.h>
#include <keras/core/tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace keras {

/// keras::function's keyword arguments (after tf.function's).
struct FunctionOptions {
  std::string name = "function";
  /// Traced signatures kept; beyond it the least recently used graph is dropped (and retraced if needed).
  size_t max_traces = 16;
  /// Run the graph passes (constant folding, CSE, fusion, dead code, memory plan) after tracing.
  bool optimize = true;
  /// When the body reads a traced tensor on the host (item(), to_vector()), run it eagerly from then
  /// on, with a warning, instead of throwing HostReadError (fit() uses this for custom train steps).
  bool eager_fallback = false;
};

/// tf.function for C++: the first call for a signature (each argument's shape, dtype and device)
/// traces the kernels, variable reads and writes, random draws and optimizer steps the body runs
/// into a graph; later calls with that signature replay the graph without running the body.
/// Values the body computes on the host from anything but the arguments' shapes are frozen at
/// trace time, as Python values are in tf.function. Copies share the traces.
class Function {
 public:
  using Body = std::function<Tensors(const Tensors&)>;
  explicit Function(Body body, FunctionOptions options = {});

  Tensors operator()(const Tensors& args);
  /// The graph traced for the most recent call's signature; ValueError before any call.
  const graph::Graph& graph() const;
  /// Traces made so far (one per new signature, and after a graph was evicted).
  int64_t trace_count() const;
  /// True when the last call ran the body eagerly (eager_fallback, or a GradientTape watching the call).
  bool ran_eagerly() const;
  const FunctionOptions& options() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// keras::function(body): a Function; `body` maps tensors to tensors.
Function function(Function::Body body, FunctionOptions options = {});

}  // namespace keras
