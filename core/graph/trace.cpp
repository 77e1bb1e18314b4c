// Recording: every hook of core/graph/trace.h adds to the graph of the trace active on this thread.
#include <keras/core/graph/capture.h>
#include <keras/core/graph/graph.h>
#include <keras/core/graph/trace.h>

#include <keras/core/variable.h>

#include <sstream>
#include <unordered_map>

namespace keras::graph {

namespace detail {

thread_local Trace* recording = nullptr;

struct Trace {
  std::shared_ptr<Graph> graph;
  std::unordered_map<uint64_t, int> by_id;             // traced tensor id -> value
  std::unordered_map<const Storage*, int> by_storage;  // buffer -> the first value that holds it
  std::unordered_map<const void*, int> reads;          // variable -> its read value, until written
  bool allow_host_reads = false;
  std::string host_read;  // what the first host read read, when allowed
};

void TensorAccess::rebind(const Tensor& t, std::shared_ptr<Storage> storage, size_t offset) {
  // The handle was made non-const (make_shared<const Impl> of a fresh Impl); only the graph, which
  // holds every handle of a traced tensor, changes it, between the kernels that read it.
  auto& impl = const_cast<Tensor::Impl&>(*t.impl_);
  impl.storage = std::move(storage);
  impl.offset = offset;
}

namespace {
Tensor fresh_view(const Tensor& t) {
  Suspend suspend;
  return Tensor::view(t.storage(), t.offset(), t.shape(), t.dtype());
}
}  // namespace

}  // namespace detail

// Graph-building access for the hooks (Graph's members are private).
struct Builder {
  static int value_of(detail::Trace& tr, const Tensor& t) {
    if (!t.defined()) return -1;
    auto it = tr.by_id.find(t.id());
    if (it != tr.by_id.end()) return it->second;
    const int v = tr.graph->add_value(t, -1, true);
    tr.by_id.emplace(t.id(), v);
    return v;
  }
  static int add_output(detail::Trace& tr, const Tensor& t, int node) {
    if (!t.defined()) return -1;
    auto it = tr.by_id.find(t.id());
    if (it != tr.by_id.end()) return it->second;  // a kernel that returned its input
    const int v = tr.graph->add_value(t, node);
    tr.by_id.emplace(t.id(), v);
    tr.by_storage.emplace(t.storage().get(), v);
    return v;
  }
  static Node& add_node(detail::Trace& tr, NodeKind kind, std::string op) {
    Node n{};
    n.kind = kind;
    n.op = std::move(op);
    tr.graph->nodes_.push_back(std::move(n));
    return tr.graph->nodes_.back();
  }
  static int node_index(detail::Trace& tr) { return static_cast<int>(tr.graph->nodes_.size()); }
  static void add_input(detail::Trace& tr, const Tensor& arg, int index) {
    if (!arg.defined()) {
      tr.graph->inputs_.push_back(-1);
      return;
    }
    const Tensor p = detail::fresh_view(arg);
    const int v = tr.graph->add_value(p, -1);
    tr.graph->values_[static_cast<size_t>(v)].input_index = index;
    tr.by_id.emplace(p.id(), v);
    tr.by_storage.emplace(p.storage().get(), v);
    tr.graph->inputs_.push_back(v);
  }
  static void set_outputs(detail::Trace& tr, const Tensors& outs) {
    for (const Tensor& o : outs) tr.graph->outputs_.push_back(value_of(tr, o));
  }
};

namespace detail {

void record_kernel(const char* name, std::string attrs, std::string cse_key, const Tensors& inputs,
                   const Tensors& outputs, std::function<Tensors()> run) {
  Trace& tr = *recording;
  std::vector<int> ins;
  for (const Tensor& t : inputs) ins.push_back(Builder::value_of(tr, t));
  const int index = Builder::node_index(tr);
  std::vector<int> outs;
  for (const Tensor& t : outputs) outs.push_back(Builder::add_output(tr, t, index));
  Node& n = Builder::add_node(tr, NodeKind::kernel, name);
  n.attrs = std::move(attrs);
  n.cse_key = std::move(cse_key);
  n.inputs = std::move(ins);
  n.outputs = std::move(outs);
  n.kernel = std::move(run);
}

Tensors host_call(const std::string& name, const Tensors& inputs, std::function<Tensors(const Tensors&)> fn) {
  if (!tracing()) return fn(inputs);
  Trace& tr = *recording;
  Tensors out;
  {
    Suspend suspend;
    out = fn(inputs);
  }
  std::vector<int> ins;
  for (const Tensor& t : inputs) ins.push_back(Builder::value_of(tr, t));
  const int index = Builder::node_index(tr);
  std::vector<int> outs;
  for (const Tensor& t : out) outs.push_back(Builder::add_output(tr, t, index));
  Node& n = Builder::add_node(tr, NodeKind::host, name);
  n.inputs = std::move(ins);
  n.outputs = std::move(outs);
  n.host = std::move(fn);
  return out;
}

void on_view(const Tensor& view) {
  Trace& tr = *recording;
  auto it = tr.by_storage.find(view.storage().get());
  if (it == tr.by_storage.end() || tr.by_id.count(view.id())) return;
  const int owner = it->second;
  // Read before add_output, which may move the values (and a reference into them).
  const int64_t base_offset = static_cast<int64_t>(tr.graph->values()[static_cast<size_t>(owner)].tensor.offset());
  const int index = Builder::node_index(tr);
  const int out = Builder::add_output(tr, view, index);
  Node& n = Builder::add_node(tr, NodeKind::view, "view");
  n.inputs = {owner};
  n.outputs = {out};
  n.view_offset = static_cast<int64_t>(view.offset()) - base_offset;
  n.attrs = "offset=" + std::to_string(n.view_offset);
}

Tensor on_variable_read(const Variable& variable, const Tensor& value) {
  Trace& tr = *recording;
  auto it = tr.reads.find(variable.handle());
  if (it != tr.reads.end()) return tr.graph->values()[static_cast<size_t>(it->second)].tensor;
  const Tensor r = fresh_view(value);
  const int index = Builder::node_index(tr);
  const int out = Builder::add_output(tr, r, index);
  Node& n = Builder::add_node(tr, NodeKind::read, "read");
  n.outputs = {out};
  n.variable = variable;
  n.attrs = variable.name();
  tr.reads[variable.handle()] = out;
  return r;
}

Tensor on_variable_assign(const Variable& variable, const Tensor& value, bool initialising) {
  Trace& tr = *recording;
  tr.reads.erase(variable.handle());
  // The variable keeps its own handle: replay rebinds the graph's, which must not move the variable.
  const Tensor kept = fresh_view(value);
  if (initialising) return kept;  // a variable created while tracing: initialised once, not per replay
  const int in = Builder::value_of(tr, value);
  Node& n = Builder::add_node(tr, NodeKind::assign, "assign");
  n.inputs = {in};
  n.variable = variable;
  n.attrs = variable.name();
  return kept;
}

void check_host_read(const Tensor& tensor, const char* what) {
  Trace& tr = *recording;
  auto it = tr.by_id.find(tensor.id());
  if (it == tr.by_id.end()) return;
  const Value& v = tr.graph->values()[static_cast<size_t>(it->second)];
  if (v.constant) return;
  std::string producer = v.input_index >= 0 ? "argument " + std::to_string(v.input_index) + " of the function"
                                            : "'" + tr.graph->nodes()[static_cast<size_t>(v.producer)].op + "'";
  if (tr.allow_host_reads) {
    if (tr.host_read.empty()) tr.host_read = std::string(what) + " of a tensor from " + producer;
    return;
  }
  throw HostReadError(std::string("Reading a tensor's value on the host (") + what +
                      ") inside a traced keras::function: the graph would freeze the value seen while tracing. "
                      "The tensor comes from " + producer +
                      ". For control flow that depends on a tensor's value use ops::cond, ops::while_loop, "
                      "ops::fori_loop or ops::where; for logging, read the tensor after the function returns; or call "
                      "the code eagerly (compile({.run_eagerly = true}) for fit).");
}

[[noreturn]] void refuse_in_place(const char* kernel) {
  throw NotImplementedError(std::string("kernels::") + kernel +
                            " updates a buffer in place and cannot be traced (its learning rate and step would be "
                            "frozen); inside keras::function call Optimizer::apply_gradients, which runs as one node");
}

std::string attr(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
std::string attr(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}
std::string attr(const std::vector<std::pair<int64_t, int64_t>>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    s += (i ? ", (" : "(") + std::to_string(v[i].first) + ", " + std::to_string(v[i].second) + ")";
  }
  return s + "]";
}
std::string attr(kernels::UnaryOp op) {
  static const char* names[] = {"negative", "abs", "sign", "square", "sqrt", "rsqrt", "reciprocal", "exp", "log",
                                "log1p", "expm1", "sin", "cos", "tanh", "sigmoid", "erf", "floor", "ceil", "round",
                                "logical_not", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "gelu_tanh",
                                "softplus", "softsign", "silu", "hard_sigmoid", "isnan", "isinf", "isfinite"};
  const auto i = static_cast<size_t>(op);
  return i < std::size(names) ? names[i] : "unary#" + std::to_string(i);
}
std::string attr(kernels::BinaryOp op) {
  static const char* names[] = {"add", "subtract", "multiply", "divide", "power", "maximum", "minimum",
                                "floor_divide", "mod", "equal", "not_equal", "less", "less_equal", "greater",
                                "greater_equal", "logical_and", "logical_or", "logical_xor"};
  const auto i = static_cast<size_t>(op);
  return i < std::size(names) ? names[i] : "binary#" + std::to_string(i);
}
std::string attr(kernels::ReduceOp op) {
  static const char* names[] = {"sum", "mean", "max", "min", "prod", "all", "any"};
  const auto i = static_cast<size_t>(op);
  return i < std::size(names) ? names[i] : "reduce#" + std::to_string(i);
}
std::string attr(const kernels::ConvGeometry& g) {
  return "strides=" + attr(g.strides) + " dilation=" + attr(g.dilation) + " padding=" + attr(g.padding_l) +
         attr(g.padding_r) + " groups=" + std::to_string(g.groups);
}
std::string attr(const kernels::PoolWindow& w) {
  return "kernel=" + attr(w.kernel) + " strides=" + attr(w.strides) + " padding=" + attr(w.padding_l) +
         attr(w.padding_r);
}

}  // namespace detail

bool tracing() { return detail::tracing(); }

void host_check(const std::string& name, const Tensors& tensors, std::function<void(const Tensors&)> check) {
  if (!detail::tracing()) return check(tensors);
  detail::host_call(name, tensors, [check = std::move(check)](const Tensors& t) {
    check(t);
    return Tensors{};
  });
}

TraceResult trace(const std::function<Tensors(const Tensors&)>& body, const Tensors& args, bool allow_host_reads) {
  detail::Trace tr;
  tr.graph = std::make_shared<Graph>();
  tr.allow_host_reads = allow_host_reads;
  for (size_t i = 0; i < args.size(); ++i) Builder::add_input(tr, args[i], static_cast<int>(i));
  Tensors placeholders;
  for (int v : tr.graph->inputs()) placeholders.push_back(v < 0 ? Tensor() : tr.graph->values()[static_cast<size_t>(v)].tensor);
  Tensors outs;
  {
    struct Activate {
      detail::Trace* saved;
      explicit Activate(detail::Trace* t) : saved(detail::recording) { detail::recording = t; }
      ~Activate() { detail::recording = saved; }
    } activate(&tr);
    outs = body(placeholders);
    Builder::set_outputs(tr, outs);
  }
  TraceResult result;
  for (const Tensor& o : outs) result.outputs.push_back(o.defined() ? detail::fresh_view(o) : o);
  result.graph = tr.graph;
  result.host_read = !tr.host_read.empty();
  result.host_read_what = tr.host_read;
  return result;
}

}  // namespace keras::graph
