#pragma once
// The hooks through which tensors, variables, random draws, optimizers and the kernel dispatch
// report to an active trace. Not for users: keras::function (core/function.h) is the interface.
#include <keras/core/tensor.h>

#include <functional>
#include <string>

namespace keras {
class Variable;
}

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
void record_kernel(const char* name, std::string attrs, std::string cse_key, const Tensors& inputs,
                   const Tensors& outputs, std::function<Tensors()> run);
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

/// KERAS_LOG_GRAPHS=1 (read once): log traces and passes to stderr.
bool log_graphs();

/// Lets the graph rebind a traced tensor's buffer.
struct TensorAccess {
  static void rebind(const Tensor& t, std::shared_ptr<Storage> storage, size_t offset);
  static bool same_impl(const Tensor& a, const Tensor& b) { return a.impl_ == b.impl_; }
};

}  // namespace keras::graph::detail
