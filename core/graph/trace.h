#pragma once
// The hooks through which tensors, variables, random draws, optimizers and the kernel dispatch
// report to an active trace. Not for users: keras::function (core/function.h) is the interface.
#include <keras/core/tensor.h>

#include <keras/core/variable.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace keras::graph {
class Graph;
}

namespace keras::graph::detail {

struct Trace;
/// The trace recording on this thread; null when none, or while recording is suspended.
extern thread_local Trace* recording;
inline bool tracing() { return recording != nullptr; }

/// Suspends recording in its scope: a kernel's own work, host nodes, replay.
class Suspend {
 public:
  Suspend() : saved_(recording) { recording = nullptr; }
  ~Suspend() { recording = saved_; }
  Suspend(const Suspend&) = delete;
  Suspend& operator=(const Suspend&) = delete;

 private:
  Trace* saved_;
};

/// Adds a kernel node: `run` repeats the call with the captured arguments (whose tensors are
/// `inputs`); `outputs` are the trace-time results. `cse_key` is empty unless `attrs` is complete.
/// `args` is the captured argument tuple (Node::args).
void record_kernel(const char* name, std::string attrs, std::string cse_key, const Tensors& inputs,
                   const Tensors& outputs, std::function<Tensors()> run, std::shared_ptr<const void> args);
/// Runs `fn` now (recording suspended) and, while tracing, adds it as a host node that runs again
/// on every replay with the inputs' values then.
Tensors host_call(const std::string& name, const Tensors& inputs, std::function<Tensors(const Tensors&)> fn);
/// Tensor::view of a traced tensor's buffer.
void on_view(const Tensor& view);
/// Variable::value while tracing: the tensor the trace reads (one per variable until it is written).
Tensor on_variable_read(const Variable& variable, const Tensor& value);
/// Variable::assign while tracing: returns the tensor the variable keeps (not shared with the graph).
Tensor on_variable_assign(const Variable& variable, const Tensor& value, bool initialising);
/// Tensor::item / to_vector while tracing: throws HostReadError for a traced tensor.
void check_host_read(const Tensor& tensor, const char* what);

/// A callable traced into a nested graph: a cond branch, a loop's cond or body, a scan step.
struct Nested {
  std::shared_ptr<Graph> graph;
  Tensors outputs;                 // what the callable returned while tracing
  Tensors captures;                // the enclosing trace's tensors the graph reads (its externals)
  std::vector<Variable> assigned;  // variables it assigns (in graphs nested in it too)
  std::vector<const void*> read_through;  // variables it read through the enclosing trace (see local)
  bool effects = false;            // assigns variables or runs host code
};
/// Traces `fn` on `args` (the nested graph's inputs) into a nested graph of the recording trace. Reads
/// of the enclosing traces' tensors become externals; a variable read before the nested graph assigns
/// it is read by the enclosing trace, unless it is in `local` (a loop body that writes it reads it
/// each iteration). Variable assignments made while tracing are undone (the node runs them).
Nested trace_nested(const std::function<Tensors(const Tensors&)>& fn, const Tensors& args,
                    const std::vector<const void*>& local = {});
/// Adds a control node to the recording trace: `inputs` (predicate, loop values, then every nested
/// graph's captures) and `subgraphs`; runs `run` on the inputs now and returns the node's outputs.
Tensors record_control(const std::string& op, std::string attrs, const Tensors& inputs, const std::vector<Nested>& subgraphs,
                       std::function<Tensors(const Tensors&)> run);
/// True when `t` is a value of the recording trace or one enclosing it that is not a constant.
bool is_traced(const Tensor& t);

/// KERAS_LOG_GRAPHS=1 (read once): log traces and passes to stderr.
bool log_graphs();

/// Lets the graph rebind a traced tensor's buffer.
struct TensorAccess {
  static void rebind(const Tensor& t, std::shared_ptr<Storage> storage, size_t offset);
  static bool same_impl(const Tensor& a, const Tensor& b) { return a.impl_ == b.impl_; }
};

}  // namespace keras::graph::detail
