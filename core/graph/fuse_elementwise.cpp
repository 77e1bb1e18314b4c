// Graph::fuse_elementwise: trees of unary / binary / cast nodes become one fused_elementwise node
// that evaluates them block by block (kernels/cpu/fused_elementwise.h), so the intermediates are
// never written to memory.
#include <keras/core/graph/capture.h>
#include <keras/core/graph/graph.h>
#include <keras/kernels/cpu/fused_elementwise.h>

#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>

namespace keras::graph {

namespace {

using kernels::BinaryOp;
using kernels::UnaryOp;
using kernels::cpu::FusedProgram;
using kernels::cpu::FusedStep;

// The node's op back from its attrs, which name it in full (cse_key is set); nullopt for anything
// else.
template <class E>
std::optional<E> op_named(const std::string& attrs, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (detail::attr(static_cast<E>(i)) == attrs) return static_cast<E>(i);
  }
  return std::nullopt;
}

bool is_float(DType d) { return d == DType::float32 || d == DType::float64; }

// What one node computes, when it can join a fused program.
struct Candidate {
  enum class What : uint8_t { none, unary, binary, cast } what = What::none;
  uint8_t op = 0;
  double alpha = 0.0;             // a unary op's (leaky_relu's slope, elu's alpha)
  std::optional<DType> computes;  // the float dtype its step must run in, where it has one
};

}  // namespace

size_t Graph::fuse_elementwise() {
  const size_t count = nodes_.size();
  auto tensor = [&](int v) -> const Tensor& { return values_[static_cast<size_t>(v)].tensor; };

  // Consumers of each value (distinct live nodes); graph outputs can never be fused away.
  std::vector<std::set<int>> consumers(values_.size());
  for (size_t i = 0; i < count; ++i) {
    if (nodes_[i].removed) continue;
    for (int v : nodes_[i].inputs) {
      if (v >= 0) consumers[static_cast<size_t>(v)].insert(static_cast<int>(i));
    }
  }
  std::vector<bool> is_output(values_.size(), false);
  for (int v : outputs_) {
    if (v >= 0) is_output[static_cast<size_t>(v)] = true;
  }

  std::vector<Candidate> cand(count);
  for (size_t i = 0; i < count; ++i) {
    const Node& n = nodes_[i];
    if (n.removed || n.kind != NodeKind::kernel || n.cse_key.empty() || n.outputs.size() != 1 || n.outputs[0] < 0) {
      continue;
    }
    bool usable = true;
    for (int v : n.inputs) usable = usable && v >= 0;
    if (!usable) continue;
    std::vector<int> all = n.inputs;
    all.push_back(n.outputs[0]);
    for (int v : all) {
      const Tensor& t = tensor(v);
      usable = usable && t.defined() && t.device().is_cpu() && kernels::cpu::fused_io_dtype(t.dtype());
    }
    if (!usable) continue;
    const Tensor& out = tensor(n.outputs[0]);
    Candidate& c = cand[i];
    if (n.op == "unary" && n.inputs.size() == 1) {
      // Op and alpha from the captured arguments: the printed alpha is exact, but this is the value.
      const auto* args = detail::kernel_args<kernels::UnaryArgs>(n, "unary");
      if (!args) continue;
      const kernels::UnaryArgs& a = std::get<0>(*args).get();
      const DType d = tensor(n.inputs[0]).dtype();
      if (!kernels::cpu::fusable_unary(a.op, a.alpha, d, out.size())) continue;
      c = {Candidate::What::unary, static_cast<uint8_t>(a.op), a.alpha, d};
    } else if (n.op == "binary" && n.inputs.size() == 2) {
      const DType d = tensor(n.inputs[0]).dtype();
      const auto op = op_named<BinaryOp>(n.attrs, static_cast<size_t>(BinaryOp::logical_xor) + 1);
      if (!op || !is_float(d) || tensor(n.inputs[1]).dtype() != d) continue;
      c = {Candidate::What::binary, static_cast<uint8_t>(*op), 0.0, d};
    } else if (n.op == "cast" && n.inputs.size() == 1) {
      const DType from = tensor(n.inputs[0]).dtype();
      c.what = Candidate::What::cast;
      // A float -> bool cast tests the value as read: in its own dtype (float64 1e-50 is true, as a
      // float32 it would be 0).
      if (is_float(from) && out.dtype() == DType::bool_) c.computes = from;
    }
  }

  // Groups by union-find: a node joins its only consumer's group when the value between them
  // (not a graph output, of the consumer's output shape) can live in the group's registers, which
  // hold one float dtype (bool as 0 / 1).
  std::vector<int> parent(count);
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<std::set<DType>> floats(count);
  std::vector<int> size(count, 1);
  for (size_t i = 0; i < count; ++i) {
    if (cand[i].computes) floats[i].insert(*cand[i].computes);
  }
  auto find = [&](int x) {
    while (parent[static_cast<size_t>(x)] != x) x = parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    return x;
  };
  for (size_t i = 0; i < count; ++i) {
    if (cand[i].what == Candidate::What::none) continue;
    const int v = nodes_[i].outputs[0];
    const std::set<int>& cs = consumers[static_cast<size_t>(v)];
    if (is_output[static_cast<size_t>(v)] || cs.size() != 1) continue;
    const int c = *cs.begin();
    if (cand[static_cast<size_t>(c)].what == Candidate::What::none) continue;
    const Tensor& vt = tensor(v);
    if (vt.shape() != tensor(nodes_[static_cast<size_t>(c)].outputs[0]).shape()) continue;
    if (vt.dtype() != DType::bool_ && !is_float(vt.dtype())) continue;
    const int a = find(static_cast<int>(i)), b = find(c);
    std::set<DType> merged = floats[static_cast<size_t>(a)];
    merged.insert(floats[static_cast<size_t>(b)].begin(), floats[static_cast<size_t>(b)].end());
    if (vt.dtype() != DType::bool_) merged.insert(vt.dtype());
    if (merged.size() > 1) continue;
    parent[static_cast<size_t>(a)] = b;
    floats[static_cast<size_t>(b)] = std::move(merged);
    size[static_cast<size_t>(b)] += size[static_cast<size_t>(a)];
  }

  // Each group's root is its last node (every other member feeds it, directly or not).
  std::map<int, std::vector<int>> groups;  // root -> members in order
  for (size_t i = 0; i < count; ++i) {
    if (cand[i].what == Candidate::What::none) continue;
    const int r = find(static_cast<int>(i));
    if (size[static_cast<size_t>(r)] >= 2 && floats[static_cast<size_t>(r)].size() == 1) groups[r].push_back(static_cast<int>(i));
  }

  size_t removed = 0;
  for (const auto& [root_index, members] : groups) {
    const int root = members.back();
    std::set<int> member_set(members.begin(), members.end());
    auto internal = [&](int v) {
      const int p = values_[static_cast<size_t>(v)].producer;
      return p >= 0 && member_set.count(p) > 0;
    };
    auto program = std::make_shared<FusedProgram>();
    program->compute = *floats[static_cast<size_t>(root_index)].begin();

    // The operands, in the order the steps first read them.
    std::vector<int> operands;
    std::map<int, int> operand_reg;
    std::function<void(int)> collect = [&](int v) {
      if (!internal(v)) {
        if (operand_reg.emplace(v, static_cast<int>(operands.size())).second) operands.push_back(v);
        return;
      }
      for (int in : nodes_[static_cast<size_t>(values_[static_cast<size_t>(v)].producer)].inputs) collect(in);
    };
    const int out = nodes_[static_cast<size_t>(root)].outputs[0];
    collect(out);

    bool ok = true;
    for (int v : operands) {
      const int p = values_[static_cast<size_t>(v)].producer;
      ok = ok && p < root;  // produced before the fused node runs at the root's place
    }
    if (!ok) continue;

    std::map<int, int> reg_of = operand_reg;
    std::string attrs;
    auto name = [&](const std::string& op) {
      if (!attrs.empty()) attrs += ' ';
      attrs += op;
    };
    std::function<int(int)> emit = [&](int v) -> int {
      auto it = reg_of.find(v);
      if (it != reg_of.end()) return it->second;
      const Node& n = nodes_[static_cast<size_t>(values_[static_cast<size_t>(v)].producer)];
      const Candidate& c = cand[static_cast<size_t>(values_[static_cast<size_t>(v)].producer)];
      const bool to_bool = tensor(v).dtype() == DType::bool_;
      FusedStep step{FusedStep::Kind::unary};
      step.op = c.op;
      step.alpha = c.alpha;
      step.a = emit(n.inputs[0]);
      int r = -1;
      if (c.what == Candidate::What::unary) {
        step.kind = to_bool ? FusedStep::Kind::predicate : FusedStep::Kind::unary;
        name(n.attrs);
      } else if (c.what == Candidate::What::binary) {
        step.b = emit(n.inputs[1]);
        step.kind = to_bool ? FusedStep::Kind::compare : FusedStep::Kind::binary;
        name(n.attrs);
      } else {
        name("cast:");
        attrs += n.attrs;
        // Registers hold bool as 0 / 1 and every other dtype as its value: only a cast to bool
        // computes anything; a cast to a non-float dtype can only be the root, converted by the store.
        if (!to_bool || tensor(n.inputs[0]).dtype() == DType::bool_) r = step.a;
        step.kind = FusedStep::Kind::to_bool;
      }
      if (r < 0) {
        program->steps.push_back(step);
        r = static_cast<int>(operands.size() + program->steps.size()) - 1;
      }
      reg_of[v] = r;
      return r;
    };
    program->result = emit(out);

    Tensors operand_tensors;
    for (int v : operands) operand_tensors.push_back(tensor(v));
    const Shape shape = tensor(out).shape();
    const DType dtype = tensor(out).dtype();
    for (int m : members) {
      if (m != root) nodes_[static_cast<size_t>(m)].removed = true;
    }
    Node& fused = nodes_[static_cast<size_t>(root)];
    fused.op = "fused_elementwise";
    fused.attrs = attrs;
    fused.inputs = operands;
    fused.cse_key.clear();
    fused.args.reset();
    fused.kernel = [program, operand_tensors, shape, dtype]() {
      return Tensors{kernels::cpu::fused_elementwise(*program, operand_tensors, shape, dtype)};
    };
    removed += members.size() - 1;
  }
  planned_ = false;
  return removed;
}

}  // namespace keras::graph
