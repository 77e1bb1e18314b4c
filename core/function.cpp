#include <keras/core/function.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/graph/trace.h>

#include <iostream>
#include <list>

namespace keras {

struct Function::State {
  Body body;
  FunctionOptions options;
  std::list<std::pair<std::string, std::shared_ptr<graph::Graph>>> traces;  // most recent first
  std::shared_ptr<graph::Graph> last;
  int64_t trace_count = 0;
  bool eager = false;         // a host read made the body untraceable (eager_fallback)
  bool ran_eagerly = false;
  bool warned = false;
};

namespace {

std::string signature(const Tensors& args) {
  std::string s;
  for (const Tensor& t : args) {
    if (!t.defined()) {
      s += "None;";
      continue;
    }
    s += std::string(dtype_name(t.dtype())) + t.shape().str() + "@" + t.device().str() + ";";
  }
  return s;
}

// TF warns when a function retraces often: usually shapes that vary on every call.
constexpr int64_t kRetraceWarning = 5;

}  // namespace

Function::Function(Body body, FunctionOptions options) : state_(std::make_shared<State>()) {
  if (!body) throw ValueError("keras::function: the body is empty");
  if (options.max_traces == 0) throw ValueError("keras::function: max_traces must be at least 1");
  state_->body = std::move(body);
  state_->options = std::move(options);
}

Tensors Function::operator()(const Tensors& args) {
  State& s = *state_;
  s.ran_eagerly = false;
  // Inside another trace the body becomes part of that graph; under a tape it must be recorded for
  // gradients, which a replay does not do; an untraceable body runs eagerly.
  if (graph::detail::tracing() || autograd::tape_active() || s.eager) {
    s.ran_eagerly = !graph::detail::tracing();
    return s.body(args);
  }
  const std::string key = signature(args);
  for (auto it = s.traces.begin(); it != s.traces.end(); ++it) {
    if (it->first != key) continue;
    s.traces.splice(s.traces.begin(), s.traces, it);
    s.last = it->second;
    return s.last->run(args);
  }
  graph::TraceResult traced = graph::trace(s.body, args, s.options.eager_fallback);
  if (traced.host_read) {
    std::cerr << "WARNING: keras::function '" << s.options.name
              << "' reads tensor values on the host (" << traced.host_read_what
              << "), so it cannot be traced; it runs eagerly"
              << (s.options.name == "train_step" ? " (pass compile({.run_eagerly = true}) to say so)" : "") << ".\n";
    s.eager = true;
    s.ran_eagerly = true;
    return traced.outputs;
  }
  ++s.trace_count;
  if (s.options.optimize) traced.graph->optimize(s.options.name);
  if (graph::detail::log_graphs()) {
    std::cerr << "[keras graph] traced " << s.options.name << " for (" << key << "): " << traced.graph->node_count()
              << " nodes\n";
  }
  if (s.trace_count > kRetraceWarning && !s.warned) {
    s.warned = true;
    std::cerr << "WARNING: keras::function '" << s.options.name << "' has been traced " << s.trace_count
              << " times: each new argument shape, dtype or device traces again. Pass arguments of fixed shapes.\n";
  }
  s.traces.emplace_front(key, traced.graph);
  if (s.traces.size() > s.options.max_traces) s.traces.pop_back();
  s.last = traced.graph;
  // The trace ran the body; free the graph's hold on its buffers as a replay would.
  s.last->release();
  return traced.outputs;
}

const graph::Graph& Function::graph() const {
  if (!state_->last) throw ValueError("keras::function '" + state_->options.name + "' has not been traced yet: call it first");
  return *state_->last;
}

int64_t Function::trace_count() const { return state_->trace_count; }
bool Function::ran_eagerly() const { return state_->ran_eagerly; }
const FunctionOptions& Function::options() const { return state_->options; }

Function function(Function::Body body, FunctionOptions options) { return Function(std::move(body), std::move(options)); }

}  // namespace keras
