// Recording: every hook of core/graph/trace.h adds to the graph of the trace active on this thread.
#include <keras/core/graph/capture.h>
#include <keras/core/graph/graph.h>
#include <keras/core/graph/trace.h>

#include <keras/core/graph/control_flow.h>
#include <keras/core/repr.h>
#include <keras/core/variable.h>

#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace keras::graph {

namespace detail {

thread_local Trace* recording = nullptr;

struct Trace {
  std::shared_ptr<Graph> graph;
  std::unordered_map<uint64_t, int> by_id;             // traced tensor id -> value
  std::unordered_map<const Storage*, int> by_storage;  // buffer -> the first value that holds it
  std::unordered_map<const void*, int> reads;          // variable -> its read value, until written
  bool allow_host_reads = false;
  std::string host_read;  // what the first host read read, when allowed (the outermost trace's)
  // A nested trace (core/graph/control_flow.cpp) records a sub-graph of `parent`'s.
  Trace* parent = nullptr;
  Tensors captures;                                  // parent tensors read here, as externals
  std::unordered_set<const void*> local;             // variables read here even before an assign
  std::unordered_set<const void*> assigned_handles;  // variables assigned here: later reads are local
  std::vector<Variable> assigned;
  std::vector<const void*> read_through;             // variables read through the parent
  std::vector<std::pair<Variable, Tensor>> saved;    // values to restore when the nested trace ends
  bool effects = false;
  std::unordered_set<uint64_t> inner;  // the outermost trace's: tensors computed inside nested graphs

  Trace& root() { return parent ? parent->root() : *this; }
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
  // The value of `t` in `tr`: its own, an enclosing trace's as an external, or a new constant.
  static int value_of(detail::Trace& tr, const Tensor& t) {
    if (!t.defined()) return -1;
    const int v = find(tr, t);
    if (v >= 0) return v;
    if (tr.root().inner.count(t.id())) {
      throw ValueError("A tensor computed inside an ops::cond, ops::while_loop or ops::scan callable is used outside "
                       "it in a traced keras::function (a value captured by reference in the callable); return it "
                       "from the callable instead (a branch's or loop's results are what leave it).");
    }
    const int c = tr.graph->add_value(t, -1, true);
    tr.by_id.emplace(t.id(), c);
    return c;
  }
  // `t`'s value in `tr` or, captured as an external, in an enclosing trace; -1 when none has it.
  static int find(detail::Trace& tr, const Tensor& t) {
    auto it = tr.by_id.find(t.id());
    if (it != tr.by_id.end()) return it->second;
    if (!tr.parent) return -1;
    const int outer = find(*tr.parent, t);
    if (outer < 0) return -1;
    const bool constant = tr.parent->graph->values_[static_cast<size_t>(outer)].constant;
    const int v = tr.graph->add_value(t, -1, constant);
    if (!constant) {
      tr.graph->values_[static_cast<size_t>(v)].external = true;
      tr.captures.push_back(t);
      if (t.storage()) tr.by_storage.emplace(t.storage().get(), v);
    }
    tr.by_id.emplace(t.id(), v);
    return v;
  }
  // A buffer's owning value in `tr` or an enclosing trace (captured); -1 when none has it.
  static int find_storage(detail::Trace& tr, const Storage* storage) {
    for (detail::Trace* t = &tr; t; t = t->parent) {
      auto it = t->by_storage.find(storage);
      if (it != t->by_storage.end()) {
        if (t == &tr) return it->second;
        const Tensor owner = t->graph->values_[static_cast<size_t>(it->second)].tensor;  // a copy: find adds values
        return find(tr, owner);
      }
    }
    return -1;
  }
  static Value& value(detail::Trace& tr, int v) { return tr.graph->values_[static_cast<size_t>(v)]; }
  // Where `t` is a value, without capturing it: the innermost trace that has it, or null.
  static std::pair<detail::Trace*, int> lookup(detail::Trace& tr, const Tensor& t) {
    for (detail::Trace* a = &tr; a; a = a->parent) {
      auto it = a->by_id.find(t.id());
      if (it != a->by_id.end() && !a->graph->values_[static_cast<size_t>(it->second)].external) return {a, it->second};
    }
    return {nullptr, -1};
  }
  static void bindings(const Graph& g, std::vector<std::tuple<Tensor, std::shared_ptr<Storage>, size_t>>& out) {
    for (const Value& v : g.values_) {
      if (!v.constant && !v.external && v.tensor.defined()) out.emplace_back(v.tensor, v.tensor.storage(), v.tensor.offset());
    }
    for (const Node& n : g.nodes_) {
      for (const auto& sub : n.subgraphs) bindings(*sub, out);
    }
  }
  static int add_output(detail::Trace& tr, const Tensor& t, int node) {
    if (!t.defined()) return -1;
    const int known = find(tr, t);
    if (known >= 0) return known;  // a kernel that returned its input
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
  static std::vector<int> values_of(detail::Trace& tr, const Tensors& tensors) {
    std::vector<int> values;
    for (const Tensor& t : tensors) values.push_back(value_of(tr, t));
    return values;
  }
  // A node reading `ins` and producing `outputs` (new values of the graph).
  static Node& add_call(detail::Trace& tr, NodeKind kind, std::string op, std::vector<int> ins, const Tensors& outputs) {
    const int index = node_index(tr);
    std::vector<int> outs;
    for (const Tensor& t : outputs) outs.push_back(add_output(tr, t, index));
    Node& n = add_node(tr, kind, std::move(op));
    n.inputs = std::move(ins);
    n.outputs = std::move(outs);
    return n;
  }
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
    for (const Tensor& o : outs) {
      int v = value_of(tr, o);
      if (v >= 0 && tr.graph->values_[static_cast<size_t>(v)].external) {
        // A sub-graph's results are released after each run; an enclosing graph's value must not be.
        const Tensor copy = detail::fresh_view(o);
        const int out = add_output(tr, copy, node_index(tr));
        Node& n = add_node(tr, NodeKind::view, "view");
        n.inputs = {v};
        n.outputs = {out};
        n.attrs = "offset=0";
        v = out;
      }
      tr.graph->outputs_.push_back(v);
    }
  }
};

namespace detail {

void record_kernel(const char* name, std::string attrs, std::string cse_key, const Tensors& inputs,
                   const Tensors& outputs, std::function<Tensors()> run, std::shared_ptr<const void> args) {
  Trace& tr = *recording;
  Node& n = Builder::add_call(tr, NodeKind::kernel, name, Builder::values_of(tr, inputs), outputs);
  n.attrs = std::move(attrs);
  n.cse_key = std::move(cse_key);
  n.kernel = std::move(run);
  n.args = std::move(args);
}

namespace {
Tensors host_node(const std::string& name, const Tensors& inputs, std::function<Tensors(const Tensors&)> fn,
                  bool undoable);
}  // namespace

Tensors host_call(const std::string& name, const Tensors& inputs, std::function<Tensors(const Tensors&)> fn) {
  // A random draw only advances its generator, which tracing a branch may do without harm.
  return host_node(name, inputs, std::move(fn), name.rfind("random.", 0) == 0);
}

namespace {
Tensors host_node(const std::string& name, const Tensors& inputs, std::function<Tensors(const Tensors&)> fn,
                  bool undoable) {
  if (!tracing()) return fn(inputs);
  Trace& tr = *recording;
  if (tr.parent && !undoable) {
    // Tracing runs every branch (and a loop body once more than it iterates); host code such as an
    // optimizer step would then change state that no replay undoes.
    throw NotImplementedError("'" + name + "' inside ops::cond, ops::while_loop, ops::fori_loop or ops::scan in a "
                              "traced keras::function is not supported: tracing runs each branch and loop body, and "
                              "its effects could not be undone. Call it outside the control flow (e.g. select its "
                              "inputs with ops::cond or ops::where), or run the function eagerly.");
  }
  tr.effects = true;
  Tensors out;
  {
    Suspend suspend;
    out = fn(inputs);
  }
  Node& n = Builder::add_call(tr, NodeKind::host, name, Builder::values_of(tr, inputs), out);
  n.host = std::move(fn);
  // Host code (an optimizer step) may update any variable in place, unseen by the trace: a read
  // after it in the same body (a second step under steps_per_execution) must read again rather than
  // reuse the value read before. A random draw touches no variable.
  if (!undoable) tr.reads.clear();
  return out;
}
}  // namespace

void on_view(const Tensor& view) {
  Trace& tr = *recording;
  if (tr.by_id.count(view.id())) return;
  const int owner = Builder::find_storage(tr, view.storage().get());
  if (owner < 0) return;
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
  if (tr.parent && !tr.local.count(variable.handle()) && !tr.assigned_handles.count(variable.handle())) {
    // Read through the enclosing trace (its read runs before this node, with the same value): a
    // GradientTape there then sees the branch's read as the variable's value it watches.
    Tensor outer;
    {
      struct Swap {
        Trace* saved = recording;
        ~Swap() { recording = saved; }
      } swap;
      recording = tr.parent;
      outer = on_variable_read(variable, value);
    }
    tr.reads[variable.handle()] = Builder::value_of(tr, outer);
    tr.read_through.push_back(variable.handle());
    return outer;
  }
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

namespace {
// A nested trace undoes its assignments when it ends: the control node runs them at each replay.
void save_for_restore(Trace& tr, const Variable& variable) {
  for (const auto& [v, old] : tr.saved) {
    if (v.handle() == variable.handle()) return;
  }
  Suspend suspend;
  Variable v = variable;
  tr.saved.emplace_back(v, v.writable_value());
}
}  // namespace

Tensor on_variable_assign(const Variable& variable, const Tensor& value, bool initialising) {
  Trace& tr = *recording;
  tr.reads.erase(variable.handle());
  // The variable keeps its own handle: replay rebinds the graph's, which must not move the variable.
  const Tensor kept = fresh_view(value);
  if (initialising) return kept;  // a variable created while tracing: initialised once, not per replay
  if (tr.parent) {
    save_for_restore(tr, variable);
    if (tr.assigned_handles.insert(variable.handle()).second) tr.assigned.push_back(variable);
  }
  tr.effects = true;
  const int in = Builder::value_of(tr, value);
  Node& n = Builder::add_node(tr, NodeKind::assign, "assign");
  n.inputs = {in};
  n.variable = variable;
  n.attrs = variable.name();
  return kept;
}

void check_host_read(const Tensor& tensor, const char* what) {
  Trace& tr = *recording;
  const auto [owner, index] = Builder::lookup(tr, tensor);
  if (!owner) return;
  const Value& v = owner->graph->values()[static_cast<size_t>(index)];
  if (v.constant) return;
  std::string producer = v.input_index >= 0 ? "argument " + std::to_string(v.input_index) + " of the function"
                         : v.producer < 0 ? std::string("an argument of a control-flow callable")
                                          : "'" + owner->graph->nodes()[static_cast<size_t>(v.producer)].op + "'";
  if (owner->parent && v.input_index >= 0) producer = "argument " + std::to_string(v.input_index) + " of a control-flow callable";
  Trace& root = tr.root();
  if (root.allow_host_reads) {
    if (root.host_read.empty()) root.host_read = std::string(what) + " of a tensor from " + producer;
    return;
  }
  throw HostReadError(std::string("Reading a tensor's value on the host (") + what +
                      ") inside a traced keras::function: the graph would freeze the value seen while tracing. "
                      "The tensor comes from " + producer +
                      ". For control flow that depends on a tensor's value use ops::cond, ops::while_loop, "
                      "ops::fori_loop or ops::where; for logging, read the tensor after the function returns; or call "
                      "the code eagerly (compile({.run_eagerly = true}) for fit).");
}

bool is_traced(const Tensor& t) {
  if (!tracing() || !t.defined()) return false;
  const auto [owner, index] = Builder::lookup(*recording, t);
  return owner && !owner->graph->values()[static_cast<size_t>(index)].constant;
}

namespace {
struct Activate {
  Trace* saved;
  explicit Activate(Trace* t) : saved(recording) { recording = t; }
  ~Activate() { recording = saved; }
  Activate(const Activate&) = delete;
  Activate& operator=(const Activate&) = delete;
};

void restore(Trace& tr) {
  Suspend suspend;
  for (auto it = tr.saved.rbegin(); it != tr.saved.rend(); ++it) it->first.assign(it->second);
  tr.saved.clear();
}
}  // namespace

Nested trace_nested(const std::function<Tensors(const Tensors&)>& fn, const Tensors& args,
                    const std::vector<const void*>& local) {
  Trace& parent = *recording;
  Trace tr;
  tr.graph = std::make_shared<Graph>();
  tr.parent = &parent;
  tr.local.insert(local.begin(), local.end());
  for (size_t i = 0; i < args.size(); ++i) Builder::add_input(tr, args[i], static_cast<int>(i));
  Tensors placeholders;
  for (int v : tr.graph->inputs()) placeholders.push_back(v < 0 ? Tensor() : tr.graph->values()[static_cast<size_t>(v)].tensor);
  Nested result;
  try {
    Activate activate(&tr);
    result.outputs = fn(placeholders);
    Builder::set_outputs(tr, result.outputs);
  } catch (...) {
    restore(tr);
    throw;
  }
  restore(tr);
  Trace& root = parent.root();
  for (const auto& [id, v] : tr.by_id) {
    const Value& value = tr.graph->values()[static_cast<size_t>(v)];
    if (!value.constant && !value.external) root.inner.insert(id);
  }
  result.graph = tr.graph;
  result.captures = tr.captures;
  result.assigned = tr.assigned;
  result.read_through = tr.read_through;
  result.effects = tr.effects;
  return result;
}

Tensors record_control(const std::string& op, std::string attrs, const Tensors& inputs, const std::vector<Nested>& subgraphs,
                       std::function<Tensors(const Tensors&)> run) {
  Trace& tr = *recording;
  std::vector<int> ins = Builder::values_of(tr, inputs);
  bool effects = false;
  for (const Nested& sub : subgraphs) {
    effects = effects || sub.effects;
    for (const Variable& v : sub.assigned) {
      // Running the node now assigns these: an enclosing nested trace must undo that too.
      if (tr.parent) {
        save_for_restore(tr, v);
        if (tr.assigned_handles.insert(v.handle()).second) tr.assigned.push_back(v);
      }
      tr.reads.erase(v.handle());
    }
  }
  tr.effects = tr.effects || effects;
  Tensors outs;
  {
    Suspend suspend;
    // Running the node rebinds the nested graphs' tensors, which the callables' code may still hold
    // (a tape's records, a value captured by reference): they keep their traced buffers until the
    // trace ends (Graph::release).
    std::vector<std::tuple<Tensor, std::shared_ptr<Storage>, size_t>> bound;
    for (const Nested& sub : subgraphs) Builder::bindings(*sub.graph, bound);
    const Tensors results = run(inputs);
    for (const auto& [t, storage, offset] : bound) TensorAccess::rebind(t, storage, offset);
    // Fresh handles: a loop that ran no iteration returns its inputs, which the node must not rebind.
    for (const Tensor& r : results) outs.push_back(r.defined() ? fresh_view(r) : r);
  }
  Node& n = Builder::add_call(tr, NodeKind::control, op, std::move(ins), outs);
  n.attrs = std::move(attrs);
  n.host = std::move(run);
  n.effects = effects;
  for (const Nested& sub : subgraphs) n.subgraphs.push_back(sub.graph);
  return outs;
}

[[noreturn]] void refuse_in_place(const char* kernel) {
  throw NotImplementedError(std::string("kernels::") + kernel +
                            " updates a buffer in place and cannot be traced (its learning rate and step would be "
                            "frozen); inside keras::function call Optimizer::apply_gradients, which runs as one node");
}

// The shortest text that reads back as v: attrs are also CSE keys, where two values that print
// alike must be the same value.
std::string attr(double v) { return float_repr(v); }
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
  detail::host_node(name, tensors, [check = std::move(check)](const Tensors& t) {
    check(t);
    return Tensors{};
  }, true);
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
    detail::Activate activate(&tr);
    keras::detail::ControlFlowTracerScope control_flow(&detail::graph_control_flow());
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
