#include <keras/core/gradient_tape.h>

#include <keras/core/ops/creation.h>
#include <keras/core/ops/elementwise.h>

#include <algorithm>

namespace keras {

struct GradientTape::Node {
  struct Output {
    uint64_t id;
    Shape shape;
    DType dtype;
  };
  std::vector<Output> outputs;
  Tensors inputs;
  autograd::BackwardFn backward;
};

namespace {
thread_local std::vector<GradientTape*> active_tapes;
}  // namespace

struct TapeAccess {
  static bool watches_any(const GradientTape& tape, const Tensors& inputs) {
    for (const Tensor& t : inputs) {
      if (t.defined() && tape.watched_.count(t.id())) return true;
    }
    return false;
  }
  static void record(GradientTape& tape, const Tensors& outputs, const Tensors& inputs,
                     const autograd::BackwardFn& backward) {
    GradientTape::Node node;
    node.outputs.reserve(outputs.size());
    for (const Tensor& y : outputs) {
      node.outputs.push_back({y.id(), y.shape(), y.dtype()});
      tape.watched_.insert(y.id());
    }
    node.inputs = inputs;
    node.backward = backward;
    tape.nodes_.push_back(std::move(node));
  }
  static void variable_accessed(GradientTape& tape, const Variable& variable, const Tensor& value) {
    if (!tape.options_.watch_accessed_variables) return;
    tape.watch(variable);
    tape.watched_.insert(value.id());
  }
  static bool recording(const GradientTape& tape) { return tape.recording_; }
};

namespace autograd {

bool tape_active() {
  for (const GradientTape* tape : active_tapes) {
    if (TapeAccess::recording(*tape)) return true;
  }
  return false;
}

void record_op(const Tensors& outputs, const Tensors& inputs, BackwardFn backward) {
  for (GradientTape* tape : active_tapes) {
    if (TapeAccess::recording(*tape) && TapeAccess::watches_any(*tape, inputs)) {
      TapeAccess::record(*tape, outputs, inputs, backward);
    }
  }
}

void variable_accessed(const Variable& variable, const Tensor& value) {
  for (GradientTape* tape : active_tapes) {
    if (TapeAccess::recording(*tape)) TapeAccess::variable_accessed(*tape, variable, value);
  }
}

}  // namespace autograd

GradientTape::GradientTape(GradientTapeOptions options) : options_(options) { active_tapes.push_back(this); }

GradientTape::~GradientTape() {
  auto it = std::find(active_tapes.begin(), active_tapes.end(), this);
  if (it != active_tapes.end()) active_tapes.erase(it);
}

void GradientTape::watch(const Tensor& tensor) {
  if (!tensor.defined()) throw ValueError("GradientTape.watch: cannot watch an undefined (None) tensor");
  watched_.insert(tensor.id());
}

void GradientTape::watch(const Tensors& tensors) {
  for (const Tensor& t : tensors) watch(t);
}

void GradientTape::watch(const Variable& variable) {
  if (variable_index_.emplace(variable.handle(), variables_.size()).second) variables_.push_back(variable);
  // The variable's current value is what ops read; watching its id makes them recorded.
  const Tensor v = [&] {
    StopRecording pause(*this);
    return variable.value();
  }();
  watched_.insert(v.id());
}

std::vector<Variable> GradientTape::watched_variables() const { return variables_; }

void GradientTape::reset() {
  nodes_.clear();
  watched_.clear();
  variables_.clear();
  variable_index_.clear();
  used_ = false;
}

Tensors GradientTape::gradient(const Tensor& target, const Tensors& sources, const GradientOptions& options) {
  if (used_ && !options_.persistent) {
    throw RuntimeError(
        "A non-persistent GradientTape can only be used to compute one set of gradients; "
        "create it with {.persistent = true} to call gradient() more than once");
  }
  if (!target.defined()) throw ValueError("GradientTape.gradient: the target is undefined (None)");
  used_ = true;
  Tensors result;
  {
    StopRecording pause(*this);  // backward ops are recorded only by outer tapes
    result = backpropagate(target, sources, options);
  }
  if (!options_.persistent) {
    nodes_.clear();
    recording_ = false;
  }
  return result;
}

Tensors GradientTape::backpropagate(const Tensor& target, const Tensors& sources, const GradientOptions& options) {

  std::unordered_map<uint64_t, Tensor> grads;
  if (!options.output_gradients.empty()) {
    const Tensor& seed = options.output_gradients[0];
    if (seed.shape() != target.shape()) {
      throw ValueError("GradientTape.gradient: output_gradients has shape " + seed.shape().str() +
                       " but the target has shape " + target.shape().str());
    }
    grads[target.id()] = seed;
  } else {
    grads[target.id()] = ops::ones_like(target);
  }

  std::unordered_set<uint64_t> wanted;
  for (const Tensor& s : sources) {
    if (s.defined()) wanted.insert(s.id());
  }

  for (auto node = nodes_.rbegin(); node != nodes_.rend(); ++node) {
    Tensors dys(node->outputs.size());
    bool any = false;
    for (size_t i = 0; i < node->outputs.size(); ++i) {
      auto it = grads.find(node->outputs[i].id);
      if (it != grads.end()) {
        dys[i] = it->second;
        any = true;
      }
    }
    if (!any) continue;
    for (size_t i = 0; i < dys.size(); ++i) {
      if (!dys[i].defined()) dys[i] = ops::zeros(node->outputs[i].shape, node->outputs[i].dtype);
    }
    autograd::NeedsGrad needs(node->inputs.size());
    bool needed = false;
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Tensor& x = node->inputs[i];
      needs[i] = x.defined() && is_floating(x.dtype()) && watched_.count(x.id());
      needed = needed || needs[i];
    }
    if (!needed) continue;
    Tensors dxs = node->backward(dys, needs);
    for (size_t i = 0; i < node->inputs.size() && i < dxs.size(); ++i) {
      if (!needs[i] || !dxs[i].defined()) continue;
      const uint64_t id = node->inputs[i].id();
      auto [it, inserted] = grads.try_emplace(id, dxs[i]);
      if (!inserted) it->second = it->second + dxs[i];
    }
    // The outputs' gradients are no longer needed unless a source asks for them.
    for (const auto& out : node->outputs) {
      if (!wanted.count(out.id)) grads.erase(out.id);
    }
  }

  Tensors result;
  result.reserve(sources.size());
  for (const Tensor& s : sources) {
    if (!s.defined()) throw ValueError("GradientTape.gradient: a source is undefined (None)");
    auto it = grads.find(s.id());
    if (it != grads.end()) {
      result.push_back(it->second);
    } else if (options.unconnected_gradients == UnconnectedGradients::zero) {
      result.push_back(ops::zeros_like(s));
    } else {
      result.push_back(Tensor());
    }
  }
  return result;
}

Tensors GradientTape::gradient(const Tensor& target, const std::vector<Variable>& sources,
                               const GradientOptions& options) {
  Tensors values;
  values.reserve(sources.size());
  {
    StopRecording pause(*this);
    for (const Variable& v : sources) values.push_back(v.value());
  }
  return gradient(target, values, options);
}

Tensor GradientTape::gradient(const Tensor& target, const Tensor& source, const GradientOptions& options) {
  return gradient(target, Tensors{source}, options)[0];
}

Tensor GradientTape::gradient(const Tensor& target, const Variable& source, const GradientOptions& options) {
  return gradient(target, std::vector<Variable>{source}, options)[0];
}

}  // namespace keras
