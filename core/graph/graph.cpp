// Replay, passes and printing of traced graphs.
#include <keras/core/graph/graph.h>
#include <keras/core/allocator.h>
#include <keras/core/graph/trace.h>

#include <keras/kernels/matmul.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace keras::graph {

namespace {

using detail::TensorAccess;

Tensor fresh_view(const Tensor& t) { return Tensor::view(t.storage(), t.offset(), t.shape(), t.dtype()); }

void bind(const Tensor& traced, const Tensor& result, const Node& node) {
  if (result.shape() != traced.shape() || result.dtype() != traced.dtype()) {
    throw RuntimeError("graph replay: '" + node.op + "' gave " + std::string(dtype_name(result.dtype())) +
                       result.shape().str() + " where the trace had " + std::string(dtype_name(traced.dtype())) +
                       traced.shape().str());
  }
  TensorAccess::rebind(traced, result.storage(), result.offset());
}

bool bound(const Tensor& t) { return t.defined() && t.storage() != nullptr; }

}  // namespace

bool detail::log_graphs() {
  static const bool on = [] {
    const char* v = std::getenv("KERAS_LOG_GRAPHS");
    return v && std::string(v) != "0" && std::string(v) != "";
  }();
  return on;
}

namespace {
bool profile_graphs() {
  static const bool on = [] {
    const char* v = std::getenv("KERAS_PROFILE_GRAPHS");
    return v && std::string(v) != "0" && std::string(v) != "";
  }();
  return on;
}
}  // namespace

Graph::~Graph() {
  if (replays_ > 0 && profile_graphs()) std::cerr << profile();
}

int Graph::add_value(const Tensor& t, int producer, bool constant) {
  values_.push_back(Value{t, producer, -1, constant});
  planned_ = false;
  return static_cast<int>(values_.size()) - 1;
}

size_t Graph::node_count() const {
  size_t n = 0;
  for (const Node& node : nodes_) n += node.removed ? 0 : 1;
  return n;
}

size_t Graph::count(const std::string& op) const {
  size_t n = 0;
  for (const Node& node : nodes_) n += !node.removed && node.op == op ? 1 : 0;
  return n;
}

void Graph::plan() {
  // Each value's buffer is released after the last node that reads it, so the allocator's cache
  // hands it to the next kernel and a variable's buffer is sole-owned again for in-place updates.
  std::vector<int> last(values_.size(), -1);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (n.removed) continue;
    for (int v : n.inputs) {
      if (v >= 0) last[static_cast<size_t>(v)] = static_cast<int>(i);
    }
    for (int v : n.outputs) {
      if (v >= 0 && last[static_cast<size_t>(v)] < static_cast<int>(i)) last[static_cast<size_t>(v)] = static_cast<int>(i);
    }
  }
  std::set<int> kept(outputs_.begin(), outputs_.end());
  release_after_.assign(nodes_.size(), {});
  for (size_t v = 0; v < values_.size(); ++v) {
    if (values_[v].constant || values_[v].external || kept.count(static_cast<int>(v)) || last[v] < 0) continue;
    release_after_[static_cast<size_t>(last[v])].push_back(static_cast<int>(v));
  }
  planned_ = true;
}

Tensors Graph::run(const Tensors& args) {
  detail::Suspend suspend;
  memory::RecurringScope recurring;  // every replay frees the same buffers
  if (!planned_) plan();
  if (args.size() != inputs_.size()) {
    throw ValueError("graph: expected " + std::to_string(inputs_.size()) + " arguments, got " + std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (inputs_[i] < 0) continue;
    const Tensor& p = values_[static_cast<size_t>(inputs_[i])].tensor;
    if (!args[i].defined() || args[i].shape() != p.shape() || args[i].dtype() != p.dtype()) {
      throw ValueError("graph: argument " + std::to_string(i) + " should be " + std::string(dtype_name(p.dtype())) +
                       p.shape().str() + (args[i].defined() ? ", got " + std::string(dtype_name(args[i].dtype())) + args[i].shape().str() : ", got None"));
    }
    TensorAccess::rebind(p, args[i].storage(), args[i].offset());
  }
  auto value = [&](int v) -> const Tensor& { return values_[static_cast<size_t>(v)].tensor; };
  const bool timed = profile_graphs();
  if (timed) {
    node_seconds_.resize(nodes_.size(), 0.0);
    ++replays_;
  }
  using clock = std::chrono::steady_clock;
  clock::time_point started;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (n.removed) continue;
    if (timed) started = clock::now();
    switch (n.kind) {
      case NodeKind::kernel: {
        const Tensors outs = n.kernel();
        for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k) {
          if (n.outputs[k] >= 0 && outs[k].defined()) bind(value(n.outputs[k]), outs[k], n);
        }
        break;
      }
      case NodeKind::view: {
        const Tensor& in = value(n.inputs[0]);
        TensorAccess::rebind(value(n.outputs[0]), in.storage(),
                             static_cast<size_t>(static_cast<int64_t>(in.offset()) + n.view_offset));
        break;
      }
      case NodeKind::read:
        bind(value(n.outputs[0]), n.variable.value(), n);
        break;
      case NodeKind::assign:
        Variable(n.variable).assign(fresh_view(value(n.inputs[0])));
        break;
      case NodeKind::control:  // core/graph/control_flow.cpp: n.host replays the chosen sub-graph
      case NodeKind::host: {
        Tensors ins;
        for (int v : n.inputs) ins.push_back(v < 0 ? Tensor() : fresh_view(value(v)));
        const Tensors outs = n.host(ins);
        for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k) {
          if (n.outputs[k] >= 0 && outs[k].defined()) bind(value(n.outputs[k]), outs[k], n);
        }
        break;
      }
    }
    for (int v : release_after_[i]) TensorAccess::rebind(value(v), nullptr, 0);
    if (timed) node_seconds_[i] += std::chrono::duration<double>(clock::now() - started).count();
  }
  Tensors result;
  for (int v : outputs_) result.push_back(v < 0 ? Tensor() : values_[static_cast<size_t>(v)].constant ? value(v) : fresh_view(value(v)));
  for (int v : outputs_) {
    if (v >= 0 && !values_[static_cast<size_t>(v)].constant) TensorAccess::rebind(value(v), nullptr, 0);
  }
  for (int v : inputs_) {
    if (v >= 0) TensorAccess::rebind(value(v), nullptr, 0);
  }
  return result;
}

void Graph::release() {
  for (const Value& v : values_) {
    if (!v.constant && !v.external && v.tensor.defined()) TensorAccess::rebind(v.tensor, nullptr, 0);
  }
  for (const Node& n : nodes_) {
    for (const auto& sub : n.subgraphs) sub->release();
  }
}

// ---- Passes ---------------------------------------------------------------------------------

size_t Graph::eliminate_dead_code() {
  std::vector<bool> needed(values_.size(), false);
  for (int v : outputs_) {
    if (v >= 0) needed[static_cast<size_t>(v)] = true;
  }
  size_t removed = 0;
  for (size_t i = nodes_.size(); i-- > 0;) {
    Node& n = nodes_[i];
    if (n.removed) continue;
    bool keep = n.kind == NodeKind::assign || n.kind == NodeKind::host || (n.kind == NodeKind::control && n.effects);
    for (int v : n.outputs) keep = keep || (v >= 0 && needed[static_cast<size_t>(v)]);
    if (!keep) {
      n.removed = true;
      ++removed;
      continue;
    }
    for (int v : n.inputs) {
      if (v >= 0) needed[static_cast<size_t>(v)] = true;
    }
  }
  planned_ = false;
  return removed;
}

size_t Graph::fold_constants() {
  size_t folded = 0;
  for (Node& n : nodes_) {
    if (n.removed || (n.kind != NodeKind::kernel && n.kind != NodeKind::view)) continue;
    bool all_constant = true;
    for (int v : n.inputs) all_constant = all_constant && (v < 0 || values_[static_cast<size_t>(v)].constant);
    for (int v : n.outputs) all_constant = all_constant && (v < 0 || bound(values_[static_cast<size_t>(v)].tensor));
    if (!all_constant) continue;
    // The outputs still hold what the trace computed from these very constants.
    for (int v : n.outputs) {
      if (v < 0) continue;
      values_[static_cast<size_t>(v)].constant = true;
      values_[static_cast<size_t>(v)].producer = -1;
    }
    n.removed = true;
    ++folded;
  }
  planned_ = false;
  return folded;
}

size_t Graph::eliminate_common_subexpressions() {
  std::map<std::string, int> first;  // key -> output value of the first node computing it
  std::map<int, int> canonical;      // a replaced node's output -> the value it repeats
  auto canon = [&](int v) {
    auto it = canonical.find(v);
    return it == canonical.end() ? v : it->second;
  };
  size_t replaced = 0;
  for (Node& n : nodes_) {
    if (n.removed || n.kind != NodeKind::kernel || n.cse_key.empty() || n.outputs.size() != 1 || n.outputs[0] < 0) continue;
    std::string key = n.cse_key;
    for (int v : n.inputs) {
      key += '|';
      key += std::to_string(canon(v));
    }
    auto [it, inserted] = first.emplace(key, n.outputs[0]);
    if (inserted) continue;
    canonical[n.outputs[0]] = it->second;
    n.kind = NodeKind::view;
    n.op = "view";
    n.attrs = "cse";
    n.inputs = {it->second};
    n.view_offset = 0;
    n.kernel = {};
    n.args.reset();
    n.cse_key.clear();
    ++replaced;
  }
  planned_ = false;
  return replaced;
}

std::vector<int> Graph::use_counts() const {
  std::vector<int> uses(values_.size(), 0);
  for (const Node& n : nodes_) {
    if (n.removed) continue;
    for (int v : n.inputs) {
      if (v >= 0) ++uses[static_cast<size_t>(v)];
    }
  }
  for (int v : outputs_) {
    if (v >= 0) ++uses[static_cast<size_t>(v)];
  }
  return uses;
}

Node* Graph::first_reader(int v, size_t after) {
  for (size_t j = after + 1; j < nodes_.size(); ++j) {
    Node& c = nodes_[j];
    if (c.removed) continue;
    for (int in : c.inputs) {
      if (in == v) return &c;
    }
  }
  return nullptr;
}

size_t Graph::fuse_matmul_bias_relu() {
  std::vector<int> uses = use_counts();
  size_t fused = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& mm = nodes_[i];
    if (mm.removed || mm.kind != NodeKind::kernel || mm.op != "matmul" || mm.inputs.size() != 3 || mm.inputs[2] >= 0 ||
        mm.attrs.find("relu=false") == std::string::npos) {
      continue;
    }
    const int y = mm.outputs[0];
    if (y < 0 || uses[static_cast<size_t>(y)] != 1) continue;
    Node* add = first_reader(y, i);
    if (!add || add->kind != NodeKind::kernel || add->op != "binary" || add->attrs != "add") continue;
    const int bias = add->inputs[0] == y ? add->inputs[1] : add->inputs[0];
    const Tensor& yt = values_[static_cast<size_t>(y)].tensor;
    const Tensor& bt = values_[static_cast<size_t>(bias)].tensor;
    const Tensor& st = values_[static_cast<size_t>(add->outputs[0])].tensor;
    if (bias == y || bt.rank() != 1 || bt.shape()[0] != yt.shape()[-1] || st.shape() != yt.shape() || bt.dtype() != yt.dtype()) {
      continue;
    }
    int out = add->outputs[0];
    Node* relu = uses[static_cast<size_t>(out)] == 1 ? first_reader(out, static_cast<size_t>(&*add - nodes_.data())) : nullptr;
    // The CPU matmul fuses relu for every dtype but float16 (kernels/cpu/matmul.cpp).
    const bool with_relu = relu && relu->kind == NodeKind::kernel && relu->op == "unary" && relu->attrs == "relu" &&
                           yt.dtype() != DType::float16;
    Tensor src = values_[static_cast<size_t>(mm.inputs[0])].tensor, weights = values_[static_cast<size_t>(mm.inputs[1])].tensor;
    const bool ts = mm.attrs.find("transpose_src=true") != std::string::npos;
    const bool tw = mm.attrs.find("transpose_weights=true") != std::string::npos;
    mm.removed = true;
    if (with_relu) {
      relu->removed = true;
      out = relu->outputs[0];
    }
    // The fused call takes the add's place, not the matmul's: the bias may be produced between the
    // two (a variable read traced after the matmul), and a replay runs nodes in order.
    Node& fused_node = *add;
    fused_node.kind = NodeKind::kernel;
    fused_node.op = "matmul";
    fused_node.inputs = {mm.inputs[0], mm.inputs[1], bias};
    fused_node.outputs = {out};
    fused_node.attrs = std::string("transpose_src=") + (ts ? "true" : "false") + " transpose_weights=" +
                       (tw ? "true" : "false") + " relu=" + (with_relu ? "true" : "false") + " (fused bias" +
                       (with_relu ? " + relu)" : ")");
    fused_node.cse_key.clear();
    fused_node.args.reset();
    fused_node.kernel = [src, weights, b = bt, ts, tw, with_relu]() {
      return Tensors{kernels::matmul({src, weights, b, ts, tw, with_relu})};
    };
    values_[static_cast<size_t>(out)].producer = static_cast<int>(&fused_node - nodes_.data());
    ++fused;
  }
  planned_ = false;
  return fused;
}

void Graph::optimize(const std::string& name) {
  name_ = name;
  const size_t before = node_count();
  const size_t folded = fold_constants();
  const size_t cse = eliminate_common_subexpressions();
  const size_t fused = fuse_matmul_bias_relu() + fuse_conv_bias_relu();
  const size_t reordered = reorder_max_pool_relu_grad();
  const size_t elementwise = fuse_elementwise();
  const size_t dead = eliminate_dead_code();
  for (Node& n : nodes_) {
    if (n.removed) continue;
    for (const auto& sub : n.subgraphs) sub->optimize(name + "/" + n.op);
  }
  plan();
  if (detail::log_graphs()) {
    std::cerr << "[keras graph] " << name << ": " << before << " nodes -> " << node_count() << " (" << folded
              << " folded, " << cse << " common subexpressions, " << fused << " matmul/conv+bias(+relu) fusions, "
              << reordered << " relu gradients moved before max pool's, "
              << elementwise << " elementwise ops fused, " << dead << " dead)\n";
  }
}

// ---- Printing -------------------------------------------------------------------------------

namespace {
std::string type_of(const Tensor& t) {
  if (!t.defined()) return "None";
  return std::string(dtype_name(t.dtype())) + t.shape().str();
}
}  // namespace

std::string Graph::str() const {
  std::ostringstream os;
  print(os, "", {});
  return os.str();
}

// `outer` names the enclosing graphs' values by tensor id: a sub-graph's externals print as them.
void Graph::print(std::ostream& os, const std::string& indent, const std::map<uint64_t, std::string>& outer) const {
  const std::string prefix = indent.empty() ? "%" : "%" + std::to_string(indent.size() / 4) + ".";  // depth
  auto name = [&](int v) { return v < 0 ? std::string("None") : prefix + std::to_string(v); };
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i] >= 0) os << indent << name(inputs_[i]) << " = input[" << i << "] : " << type_of(values_[static_cast<size_t>(inputs_[i])].tensor) << "\n";
  }
  std::set<int> constants, externals;
  auto note = [&](int v) {
    if (v < 0) return;
    if (values_[static_cast<size_t>(v)].constant) constants.insert(v);
    if (values_[static_cast<size_t>(v)].external) externals.insert(v);
  };
  for (const Node& n : nodes_) {
    if (n.removed) continue;
    for (int v : n.inputs) note(v);
  }
  for (int v : outputs_) note(v);
  std::map<uint64_t, std::string> names = outer;
  for (size_t v = 0; v < values_.size(); ++v) {
    if (values_[v].tensor.defined() && !values_[v].external) names[values_[v].tensor.id()] = name(static_cast<int>(v));
  }
  for (int v : externals) {
    auto it = outer.find(values_[static_cast<size_t>(v)].tensor.id());
    os << indent << name(v) << " = outer " << (it == outer.end() ? std::string("?") : it->second) << " : "
       << type_of(values_[static_cast<size_t>(v)].tensor) << "\n";
  }
  for (int v : constants) os << indent << name(v) << " = constant : " << type_of(values_[static_cast<size_t>(v)].tensor) << "\n";
  for (const Node& n : nodes_) {
    if (n.removed) continue;
    std::string outs;
    for (int v : n.outputs) outs += (outs.empty() ? "" : ", ") + name(v);
    std::string ins;
    for (int v : n.inputs) ins += (ins.empty() ? "" : ", ") + name(v);
    os << indent << (outs.empty() ? "" : outs + " = ") << n.op << (n.attrs.empty() ? "" : "[" + n.attrs + "]") << "(" << ins << ")";
    std::string types;
    for (int v : n.outputs) types += (types.empty() ? "" : ", ") + (v < 0 ? std::string("None") : type_of(values_[static_cast<size_t>(v)].tensor));
    if (!types.empty()) os << " : " << types;
    os << "\n";
    for (size_t k = 0; k < n.subgraphs.size(); ++k) {
      os << indent << "  " << n.op << " sub-graph " << k << ":\n";
      n.subgraphs[k]->print(os, indent + "    ", names);
    }
  }
  std::string outs;
  for (int v : outputs_) outs += (outs.empty() ? "" : ", ") + name(v);
  os << indent << "return (" << outs << ")\n";
}

std::string Graph::profile() const {
  if (replays_ == 0) return "";
  std::vector<size_t> order;
  double total = 0;
  for (size_t i = 0; i < node_seconds_.size(); ++i) {
    if (nodes_[i].removed) continue;
    order.push_back(i);
    total += node_seconds_[i];
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return node_seconds_[a] > node_seconds_[b]; });
  std::ostringstream os;
  char line[96];
  std::snprintf(line, sizeof line, "%.1f us per replay over %lld replays", 1e6 * total / static_cast<double>(replays_),
                static_cast<long long>(replays_));
  os << "[keras graph] profile of " << name_ << ": " << line << "\n";
  for (size_t i : order) {
    const Node& n = nodes_[i];
    std::snprintf(line, sizeof line, "  %9.1f us %5.1f%%  ", 1e6 * node_seconds_[i] / static_cast<double>(replays_),
                  total > 0 ? 100.0 * node_seconds_[i] / total : 0.0);
    std::string outs;
    for (int v : n.outputs) {
      if (!outs.empty()) outs += ", ";
      outs += v < 0 ? std::string("None") : std::string(1, '%').append(std::to_string(v));
    }
    os << line << (outs.empty() ? "" : outs + " = ") << n.op << (n.attrs.empty() ? "" : "[" + n.attrs + "]");
    if (!n.outputs.empty() && n.outputs[0] >= 0) os << " : " << type_of(values_[static_cast<size_t>(n.outputs[0])].tensor);
    os << "\n";
  }
  return os.str();
}

namespace {
std::string quote(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '"' ? std::string("\\\"") : std::string(1, c);
  return "\"" + out + "\"";
}
}  // namespace

std::string Graph::dot(const std::string& name) const {
  std::ostringstream os;
  os << "digraph " << quote(name) << " {\n  node [shape=box, fontname=\"monospace\"];\n";
  std::map<uint64_t, std::string> producers;  // tensor id -> dot node
  print_dot(os, "", producers);
  os << "}\n";
  return os.str();
}

// Node ids carry `prefix` so that sub-graphs (clusters) do not collide; an external's edge comes
// from the enclosing graph's node that produced the tensor.
void Graph::print_dot(std::ostream& os, const std::string& prefix, std::map<uint64_t, std::string>& producers) const {
  auto id_of = [&](int v) { return values_[static_cast<size_t>(v)].tensor.id(); };
  const bool top = prefix.empty();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i] < 0) continue;
    const std::string id = prefix + "in" + std::to_string(i);
    os << "  " << id << " [shape=ellipse, label=" << quote((top ? "input " : "argument ") + std::to_string(i) + "\\n" + type_of(values_[static_cast<size_t>(inputs_[i])].tensor)) << "];\n";
    producers[id_of(inputs_[i])] = id;
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (n.removed) continue;
    const std::string id = prefix + "n" + std::to_string(i);
    std::string label = n.op + (n.attrs.empty() ? "" : "\\n" + n.attrs);
    for (int v : n.outputs) label += "\\n" + (v < 0 ? std::string("None") : type_of(values_[static_cast<size_t>(v)].tensor));
    os << "  " << id << " [label=" << quote(label) << (n.kind == NodeKind::control ? ", style=bold" : "") << "];\n";
    for (int v : n.inputs) {
      if (v < 0) continue;
      auto it = producers.find(id_of(v));
      if (it == producers.end()) {
        const std::string c = prefix + "c" + std::to_string(v);
        os << "  " << c << " [shape=note, label=" << quote("constant\\n" + type_of(values_[static_cast<size_t>(v)].tensor)) << "];\n";
        it = producers.emplace(id_of(v), c).first;
      }
      os << "  " << it->second << " -> " << id << ";\n";
    }
    for (size_t k = 0; k < n.subgraphs.size(); ++k) {
      const std::string sub = id + "s" + std::to_string(k) + "_";
      os << "  subgraph " << quote("cluster_" + sub) << " {\n  label=" << quote(n.op + " sub-graph " + std::to_string(k)) << ";\n";
      n.subgraphs[k]->print_dot(os, sub, producers);
      os << "  }\n  " << sub << "out -> " << id << " [style=dashed];\n";
    }
    for (int v : n.outputs) {
      if (v >= 0) producers[id_of(v)] = id;
    }
  }
  if (!top) {
    // One node stands for the sub-graph's results; its control node consumes them.
    os << "  " << prefix << "out [shape=ellipse, label=\"results\"];\n";
    for (int v : outputs_) {
      auto it = v < 0 ? producers.end() : producers.find(id_of(v));
      if (it != producers.end()) os << "  " << it->second << " -> " << prefix << "out;\n";
    }
    return;
  }
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const std::string id = "out" + std::to_string(i);
    os << "  " << id << " [shape=ellipse, label=" << quote("output " + std::to_string(i)) << "];\n";
    auto it = outputs_[i] < 0 ? producers.end() : producers.find(id_of(outputs_[i]));
    if (it != producers.end()) os << "  " << it->second << " -> " << id << ";\n";
  }
}

}  // namespace keras::graph
