#include <keras/layers/layer.h>

#include <keras/core/device_scope.h>
#include <keras/core/gradient_tape.h>
#include <keras/core/ops.h>
#include <keras/layers/dtype_policy.h>
#include <keras/layers/weight_budget.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace keras {

struct Layer::State {
  std::string class_name;
  std::string name;
  bool trainable = true;
  bool built = false;
  bool autocast = true;
  DTypePolicy policy;
  std::vector<Variable> weights;  // own weights, in creation order
  std::vector<bool> created_trainable;  // add_weight's trainable, restored when unfrozen
  std::vector<std::pair<Variable, Regularizer>> regularized;
  std::vector<std::shared_ptr<Layer>> sublayers;
  Tensors activity_losses;
  std::optional<InputSpec> input_spec;
  std::optional<std::vector<Shape>> build_shapes;
  std::vector<std::weak_ptr<Node>> nodes;  // weak: nodes own their layer, not the reverse
};

namespace {

std::mutex names_mutex;
std::unordered_map<std::string, int64_t>& name_counts() {
  static std::unordered_map<std::string, int64_t> counts;
  return counts;
}

// Keras's auto_name: "dense", then "dense_1", "dense_2", ...
std::string unique_name(const std::string& base) {
  std::lock_guard<std::mutex> lock(names_mutex);
  const int64_t n = name_counts()[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

// The training flag of the enclosing layer call, so nested calls inherit it (Keras's call context).
thread_local std::vector<bool> training_stack;
thread_local int call_depth = 0;

struct CallScope {
  explicit CallScope(bool training) {
    training_stack.push_back(training);
    ++call_depth;
  }
  ~CallScope() {
    training_stack.pop_back();
    --call_depth;
  }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;
};

bool inherited_training() { return !training_stack.empty() && training_stack.back(); }

}  // namespace

AnyLayer::AnyLayer(std::shared_ptr<Layer> layer) : layer_(std::move(layer)) {
  if (!layer_) throw ValueError("AnyLayer: null layer");
}

AnyLayer::AnyLayer(const KerasTensor& input) {
  if (!input.defined() || !input.producer() || !input.producer()->inputs.empty()) {
    throw ValueError("Expected a layer or a tensor from keras::Input(), but received " + input.str());
  }
  layer_ = input.producer()->layer;
}

std::string to_snake_case(const std::string& name) {
  // Keras: re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name), then re.sub("([a-z])([A-Z])", r"\1_\2", ...).lower()
  std::string a;
  for (size_t i = 0; i < name.size(); ++i) {
    const bool starts_word = i > 0 && std::isupper(static_cast<unsigned char>(name[i])) && i + 1 < name.size() &&
                             std::islower(static_cast<unsigned char>(name[i + 1]));
    if (starts_word) a += '_';
    a += name[i];
  }
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && std::islower(static_cast<unsigned char>(a[i - 1])) && std::isupper(static_cast<unsigned char>(a[i]))) {
      b += '_';
    }
    b += static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
  }
  return b;
}

Layer::Layer(std::string class_name, const LayerOptions& options) : state_(std::make_shared<State>()) {
  state_->class_name = std::move(class_name);
  state_->name = options.name.empty() ? unique_name(to_snake_case(state_->class_name)) : options.name;
  state_->trainable = options.trainable;
  state_->policy = options.dtype.empty() ? config::dtype_policy() : DTypePolicy(options.dtype);
  state_->autocast = options.autocast;
}

const std::string& Layer::class_name() const { return state_->class_name; }
const std::string& Layer::name() const { return state_->name; }
bool Layer::trainable() const { return state_->trainable; }
bool Layer::built() const { return state_->built; }
void Layer::set_built(bool built) { state_->built = built; }
DType Layer::compute_dtype() const { return state_->policy.compute_dtype(); }
DType Layer::variable_dtype() const { return state_->policy.variable_dtype(); }
const std::string& Layer::dtype_policy() const { return state_->policy.name(); }
bool Layer::autocast() const { return state_->autocast; }
const std::optional<InputSpec>& Layer::input_spec() const { return state_->input_spec; }
void Layer::set_input_spec(InputSpec spec) { state_->input_spec = std::move(spec); }
const std::optional<std::vector<Shape>>& Layer::build_input_shapes() const { return state_->build_shapes; }
std::vector<std::shared_ptr<Node>> Layer::inbound_nodes() const {
  std::vector<std::shared_ptr<Node>> out;
  for (const auto& w : state_->nodes) {
    if (auto n = w.lock()) out.push_back(std::move(n));
  }
  return out;
}
std::vector<std::shared_ptr<Layer>> Layer::layers() const { return state_->sublayers; }

void Layer::set_trainable(bool trainable) {
  state_->trainable = trainable;
  for (size_t i = 0; i < state_->weights.size(); ++i) {
    state_->weights[i].set_trainable(trainable && state_->created_trainable[i]);
  }
  for (auto& layer : state_->sublayers) layer->set_trainable(trainable);
}

void Layer::track(const Layer& layer) { track_shared(layer.clone()); }

void Layer::clear_tracked() { state_->sublayers.clear(); }

void Layer::track_shared(std::shared_ptr<Layer> layer) {
  for (const auto& l : state_->sublayers) {
    if (l->id() == layer->id()) return;
  }
  state_->sublayers.push_back(std::move(layer));
}

Variable Layer::declare_weight(const std::string& name) const { return Variable(VariableOptions{.name = name}); }

// Bytes of a weight, saturating: a hostile config's shape may overflow 64 bits.
static uint64_t weight_bytes(const Shape& shape, DType dtype) {
  uint64_t n = dtype_size(dtype);
  for (int64_t d : shape.dims()) {
    if (d <= 0) return 0;
  }
  for (int64_t d : shape.dims()) {
    if (n > UINT64_MAX / static_cast<uint64_t>(d)) return UINT64_MAX;
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

Variable& Layer::add_weight(Variable& slot, const WeightOptions& options) {
  if (!slot.defined()) slot = Variable(VariableOptions{.name = "variable"});
  const DType dtype = options.dtype.value_or(variable_dtype());
  // Checked before the initializer allocates: a loaded file's config may ask for absurd shapes.
  WeightBudget::charge(weight_bytes(options.shape, dtype), "the weight of shape " + options.shape.str() +
                                                              " in layer '" + name() + "' (" + class_name() + ")");
  Tensor initial;
  {
    // Initializers run on the host (some compute there, as orthogonal's QR); the value then moves to
    // the device of the innermost DeviceScope.
    const DeviceScope host(Device::cpu());
    initial = options.initializer(options.shape, dtype);
  }
  slot.assign(initial.to(default_device()));
  slot.set_trainable(options.trainable && state_->trainable);
  slot.set_autocast(options.autocast);
  if (options.constraint) {
    slot.set_constraint([c = options.constraint](const Tensor& w) { return c(w); });
  }
  state_->weights.push_back(slot);
  state_->created_trainable.push_back(options.trainable);
  if (options.regularizer) state_->regularized.emplace_back(slot, options.regularizer);
  return slot;
}

void Layer::build(const Shape& /*input_shape*/) {}

void Layer::build(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() == 1) build(input_shapes[0]);
}

Tensor Layer::call(const Tensor& /*inputs*/, bool /*training*/) {
  throw NotImplementedError("Layer '" + name() + "' (" + class_name() + ") does not implement call() for one input");
}

Tensors Layer::call(const Tensors& inputs, bool training) {
  if (inputs.size() != 1) {
    throw ValueError("Layer '" + name() + "' (" + class_name() + ") expects 1 input, but it received " +
                     std::to_string(inputs.size()) + " inputs");
  }
  return {call(inputs[0], training)};
}

void Layer::maybe_build(const std::vector<Shape>& shapes) {
  if (state_->built) return;
  build(shapes);
  state_->build_shapes = shapes;
  state_->built = true;
}

void Layer::check_input_spec(const Shape& shape, size_t index) const {
  if (!state_->input_spec) return;
  const InputSpec& spec = *state_->input_spec;
  const std::string who = "Input " + std::to_string(index) + " of layer \"" + name() + "\" is incompatible with the layer: ";
  if (spec.ndim && shape.rank() != *spec.ndim) {
    throw ValueError(who + "expected ndim=" + std::to_string(*spec.ndim) + ", found ndim=" +
                     std::to_string(shape.rank()) + ". Full shape received: " + shape.str());
  }
  if (spec.min_ndim && shape.rank() < *spec.min_ndim) {
    throw ValueError(who + "expected min_ndim=" + std::to_string(*spec.min_ndim) + ", found ndim=" +
                     std::to_string(shape.rank()) + ". Full shape received: " + shape.str());
  }
  if (spec.max_ndim && shape.rank() > *spec.max_ndim) {
    throw ValueError(who + "expected max_ndim=" + std::to_string(*spec.max_ndim) + ", found ndim=" +
                     std::to_string(shape.rank()) + ". Full shape received: " + shape.str());
  }
  for (const auto& [axis, size] : spec.axes) {
    if (axis >= shape.rank() || axis < -shape.rank()) continue;
    const int64_t got = shape[axis];
    if (got != None && got != size) {
      throw ValueError(who + "expected axis " + std::to_string(axis) + " of input shape to have value " +
                       std::to_string(size) + ", but received input with shape " + shape.str());
    }
  }
}

Tensor Layer::operator()(const Tensor& inputs, std::optional<bool> training) {
  return (*this)(Tensors{inputs}, training).at(0);
}

Tensors Layer::operator()(const Tensors& inputs, std::optional<bool> training) {
  for (const Tensor& x : inputs) {
    if (!x.defined()) throw ValueError("Layer \"" + name() + "\" received an undefined (None) input");
  }
  const bool t = training.value_or(inherited_training());
  if (call_depth == 0) clear_activity_losses();
  CallScope scope(t);
  // A call on device tensors runs under their device: what it creates there (dropout masks, zeros,
  // weights built now) lands beside them.
  std::optional<DeviceScope> device_scope;
  for (const Tensor& x : inputs) {
    if (!x.device().is_cpu() && x.device() != default_device()) {
      device_scope.emplace(x.device());
      break;
    }
  }
  std::vector<Shape> shapes;
  for (const Tensor& x : inputs) shapes.push_back(x.shape());
  maybe_build(shapes);
  for (size_t i = 0; i < shapes.size(); ++i) check_input_spec(shapes[i], i);
  // Floating inputs are cast to the compute dtype, as Keras autocasts.
  Tensors cast_inputs;
  cast_inputs.reserve(inputs.size());
  for (const Tensor& x : inputs) {
    const bool cast = state_->autocast && is_floating(x.dtype()) && x.dtype() != compute_dtype();
    cast_inputs.push_back(cast ? ops::cast(x, compute_dtype()) : x);
  }
  return call_autocast(cast_inputs, t);
}

// Keras's Layer.__call__ step 6: inside an autocast scope, a layer that does not autocast clears it
// and one of another compute dtype replaces it; outside one, a mixed policy opens one.
Tensors Layer::call_autocast(const Tensors& inputs, bool training) {
  std::optional<AutocastScope> scope;
  if (AutocastScope::active()) {
    if (!state_->autocast || !is_floating(compute_dtype())) {
      scope.emplace(std::nullopt);
    } else if (AutocastScope::current() != compute_dtype()) {
      scope.emplace(compute_dtype());
    }
  } else if (compute_dtype() != variable_dtype()) {
    scope.emplace(compute_dtype());
  }
  return call(inputs, training);
}

Shape Layer::compute_output_shape(const Shape& input_shape) { return probe_output_shapes({input_shape}).at(0); }

std::vector<Shape> Layer::compute_output_shape(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() == 1) return {compute_output_shape(input_shapes[0])};
  return probe_output_shapes(input_shapes);
}

std::vector<Shape> Layer::probe_output_shapes(const std::vector<Shape>& input_shapes) {
  // Run the layer on zeros twice, with None as 2 and as 3: dimensions that follow are None.
  auto probe = [&](int64_t fill) {
    Tensors xs;
    for (const Shape& s : input_shapes) {
      std::vector<int64_t> dims = s.dims();
      for (int64_t& d : dims) {
        if (d == None) d = fill;
      }
      xs.push_back(ops::zeros(Shape(dims), compute_dtype()));
    }
    CallScope scope(false);
    Tensors ys = call_autocast(xs, false);
    std::vector<Shape> out;
    for (const Tensor& y : ys) out.push_back(y.shape());
    return out;
  };
  const auto a = probe(2);
  const auto b = probe(3);
  std::vector<Shape> out;
  for (size_t i = 0; i < a.size(); ++i) {
    std::vector<int64_t> dims = a[i].dims();
    for (size_t d = 0; d < dims.size(); ++d) {
      if (b[i].rank() != a[i].rank() || b[i].dims()[d] != dims[d]) dims[d] = None;
    }
    out.push_back(Shape(dims));
  }
  state_->activity_losses.clear();
  return out;
}

KerasTensor Layer::operator()(const KerasTensor& inputs) {
  auto outs = call_symbolic({inputs}, false);
  if (outs.size() != 1) {
    throw ValueError("Layer \"" + name() + "\" has " + std::to_string(outs.size()) +
                     " outputs; use call_symbolic() to receive all of them");
  }
  return outs[0];
}

KerasTensor Layer::operator()(const std::vector<KerasTensor>& inputs) {
  auto outs = call_symbolic(inputs, true);
  if (outs.size() != 1) {
    throw ValueError("Layer \"" + name() + "\" has " + std::to_string(outs.size()) +
                     " outputs; use call_symbolic() to receive all of them");
  }
  return outs[0];
}

std::vector<KerasTensor> Layer::call_symbolic(const std::vector<KerasTensor>& inputs, bool list_input) {
  std::vector<Shape> shapes;
  for (const KerasTensor& x : inputs) {
    if (!x.defined()) throw ValueError("Layer \"" + name() + "\" received an undefined symbolic input");
    shapes.push_back(x.shape());
  }
  maybe_build(shapes);
  for (size_t i = 0; i < shapes.size(); ++i) check_input_spec(shapes[i], i);
  auto node = std::make_shared<Node>();
  node->layer = clone();
  node->inputs = inputs;
  node->list_input = list_input;
  node->output_shapes = list_input || shapes.size() != 1 ? compute_output_shape(shapes)
                                                         : std::vector<Shape>{compute_output_shape(shapes[0])};
  std::erase_if(state_->nodes, [](const std::weak_ptr<Node>& w) { return w.expired(); });
  std::vector<KerasTensor> outs;
  for (size_t i = 0; i < node->output_shapes.size(); ++i) {
    node->output_dtypes.push_back(compute_dtype());
    outs.emplace_back(node->output_shapes[i], compute_dtype(), node, i, name());
  }
  state_->nodes.push_back(node);
  return outs;
}

std::vector<Variable> Layer::trainable_weights() const {
  std::vector<Variable> out;
  std::unordered_set<const void*> seen;
  if (!state_->trainable) return out;
  for (const Variable& v : state_->weights) {
    if (v.has_value() && v.trainable() && seen.insert(v.handle()).second) out.push_back(v);
  }
  for (const auto& l : state_->sublayers) {
    for (const Variable& v : l->trainable_weights()) {
      if (seen.insert(v.handle()).second) out.push_back(v);
    }
  }
  return out;
}

std::vector<Variable> Layer::non_trainable_weights() const {
  std::vector<Variable> out;
  std::unordered_set<const void*> seen;
  for (const Variable& v : state_->weights) {
    if (v.has_value() && (!v.trainable() || !state_->trainable) && seen.insert(v.handle()).second) out.push_back(v);
  }
  for (const auto& l : state_->sublayers) {
    for (const Variable& v : l->non_trainable_weights()) {
      if (seen.insert(v.handle()).second) out.push_back(v);
    }
    if (!state_->trainable) {
      for (const Variable& v : l->trainable_weights()) {
        if (seen.insert(v.handle()).second) out.push_back(v);
      }
    }
  }
  return out;
}

std::vector<Variable> Layer::weights() const {
  std::vector<Variable> out = trainable_weights();
  std::unordered_set<const void*> seen;
  for (const Variable& v : out) seen.insert(v.handle());
  for (const Variable& v : non_trainable_weights()) {
    if (seen.insert(v.handle()).second) out.push_back(v);
  }
  return out;
}

std::vector<Tensor> Layer::get_weights() const {
  std::vector<Tensor> out;
  for (const Variable& v : weights()) out.push_back(v.value());
  return out;
}

void Layer::set_weights(const std::vector<Tensor>& values) {
  std::vector<Variable> ws = weights();
  if (values.size() != ws.size()) {
    throw ValueError("You called set_weights(weights) on layer \"" + name() + "\" with a weight list of length " +
                     std::to_string(values.size()) + ", but the layer was expecting " + std::to_string(ws.size()) +
                     " weights");
  }
  for (size_t i = 0; i < ws.size(); ++i) {
    if (values[i].shape() != ws[i].shape()) {
      throw ValueError("Layer " + name() + " weight shape " + ws[i].shape().str() +
                       " is not compatible with provided weight shape " + values[i].shape().str());
    }
  }
  for (size_t i = 0; i < ws.size(); ++i) ws[i].assign(values[i]);
}

int64_t Layer::count_params() const {
  int64_t n = 0;
  for (const Variable& v : weights()) n += v.shape().size();
  return n;
}

Tensors Layer::losses() const {
  Tensors out = state_->activity_losses;
  for (const auto& [v, reg] : state_->regularized) out.push_back(reg(v.value()));
  for (const auto& l : state_->sublayers) {
    Tensors sub = l->losses();
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

void Layer::add_loss(const Tensor& loss) { state_->activity_losses.push_back(loss); }

void Layer::clear_activity_losses() {
  state_->activity_losses.clear();
  for (auto& l : state_->sublayers) l->clear_activity_losses();
}

Config Layer::get_config() const {
  Config c;
  c["name"] = name();
  c["trainable"] = trainable();
  c["dtype"] = state_->policy.to_config();
  return c;
}

LayerOptions Layer::base_options(const Config& config) {
  LayerOptions o;
  if (config.contains("name") && config["name"].is_string()) o.name = config["name"].get<std::string>();
  if (config.contains("trainable") && config["trainable"].is_boolean()) o.trainable = config["trainable"].get<bool>();
  if (config.contains("dtype") && !config["dtype"].is_null()) o.dtype = DTypePolicy::from_config(config["dtype"]).name();
  return o;
}

}  // namespace keras
