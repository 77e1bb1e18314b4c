#include <keras/core/compat/v1.h>

#include <keras/core/function.h>
#include <keras/core/gradient_tape.h>
#include <keras/core/ops.h>
#include <keras/core/random.h>
#include <keras/core/variable.h>
#include <keras/optimizers/adam.h>
#include <keras/optimizers/sgd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace keras::compat::v1 {

namespace detail {

struct Key {
  size_t node;
  int64_t index;  // -1: the operation itself (fetching it gives None)
};

/// A Session's state: the values of its variables and its optimizers, by graph node.
struct SessionData {
  std::unordered_map<size_t, keras::Variable> variables;
  std::unordered_map<size_t, std::shared_ptr<keras::optimizers::Optimizer>> optimizers;
};

struct RunContext {
  SessionData& data;
  keras::GradientTape* tape;  // open when the run evaluates a gradients node
};

using Compute = std::function<keras::Tensors(RunContext&, const keras::Tensors&)>;

struct Node {
  std::string type;
  std::string name;
  std::vector<Key> inputs;
  std::vector<size_t> control_inputs;
  std::vector<DType> dtypes;
  std::vector<std::optional<Shape>> shapes;
  Compute compute;
  bool placeholder = false;
  // Gradients and updates run with the tape paused: they are not part of the forward pass.
  bool pauses_tape = false;
};

struct VariableRecord {
  size_t value_node;
  size_t initializer_node;
  Key initial_value;
  bool trainable;
};

struct GraphImpl {
  std::vector<Node> nodes;
  std::unordered_map<std::string, size_t> by_name;
  std::unordered_map<std::string, int64_t> name_uses;
  std::vector<VariableRecord> variables;

  // TensorFlow's rule: the first "MatMul" keeps its name, later ones become "MatMul_1", ...
  std::string unique_name(const std::string& base) {
    std::string name = base;
    for (int64_t& uses = name_uses[base]; by_name.count(name); ) name = base + "_" + std::to_string(++uses);
    return name;
  }

  size_t add(Node node) {
    node.name = unique_name(node.name);
    const size_t id = nodes.size();
    by_name[node.name] = id;
    nodes.push_back(std::move(node));
    return id;
  }
};

namespace {
thread_local std::shared_ptr<GraphImpl> default_graph;
thread_local std::vector<std::shared_ptr<GraphImpl>> graph_stack;
}  // namespace

std::shared_ptr<GraphImpl> current_graph() {
  if (!graph_stack.empty()) return graph_stack.back();
  if (!default_graph) default_graph = std::make_shared<GraphImpl>();
  return default_graph;
}

}  // namespace detail

using detail::GraphImpl;
using detail::Key;
using detail::Node;
using detail::RunContext;

/// Builds handles from graph internals (the classes befriend it).
struct Access {
  static Tensor tensor(const std::shared_ptr<GraphImpl>& g, size_t node, int64_t index) { return Tensor(g, node, index); }
  static Operation operation(const std::shared_ptr<GraphImpl>& g, size_t node) { return Operation(g, node); }
  static Graph graph(const std::shared_ptr<GraphImpl>& g) { return Graph(g); }
  static const std::shared_ptr<GraphImpl>& impl(const Tensor& t) { return t.graph_; }
  static const std::shared_ptr<GraphImpl>& impl(const Operation& o) { return o.graph_; }
  static const std::shared_ptr<GraphImpl>& impl(const Graph& g) { return g.impl_; }
  static Key key(const Tensor& t) { return {t.node_, t.index_}; }
  static size_t node(const Operation& o) { return o.node_; }
  static Variable variable(const std::shared_ptr<GraphImpl>& g, const detail::VariableRecord& r) {
    Variable v;
    v.value_ = tensor(g, r.value_node, 0);
    v.initializer_ = operation(g, r.initializer_node);
    v.initial_value_ = tensor(g, r.initial_value.node, r.initial_value.index);
    v.trainable_ = r.trainable;
    return v;
  }
  static void set_variable(Variable& v, Tensor value, Operation init, Tensor initial, bool trainable) {
    v.value_ = std::move(value);
    v.initializer_ = std::move(init);
    v.initial_value_ = std::move(initial);
    v.trainable_ = trainable;
  }
};

namespace {

const Node& node_of(const Tensor& t) { return Access::impl(t)->nodes[Access::key(t).node]; }

std::string quoted(const Tensor& t) { return "'" + t.name() + "'"; }

std::string shape_text(const std::optional<Shape>& s) { return s ? s->str() : "<unknown>"; }

// Every input defined and of one graph; returns that graph (the default one when there are none).
std::shared_ptr<GraphImpl> graph_of(const std::vector<Tensor>& inputs, const std::string& op) {
  std::shared_ptr<GraphImpl> g;
  for (const Tensor& t : inputs) {
    if (!t.defined()) throw ValueError(op + ": received a None tensor");
    if (!g) {
      g = Access::impl(t);
    } else if (Access::impl(t) != g) {
      throw ValueError(op + ": Tensor " + quoted(t) + " must be from the same graph as Tensor " + quoted(inputs[0]));
    }
  }
  return g ? g : detail::current_graph();
}

struct OpSpec {
  std::string type;
  std::vector<Tensor> inputs;
  std::vector<DType> dtypes;
  std::vector<std::optional<Shape>> shapes;
  detail::Compute compute;
  std::string name = {};
  std::vector<size_t> control_inputs = {};
  bool pauses_tape = false;
};

size_t add_node(const std::shared_ptr<GraphImpl>& g, OpSpec spec) {
  Node node;
  node.type = spec.type;
  node.name = spec.name.empty() ? spec.type : spec.name;
  for (const Tensor& t : spec.inputs) node.inputs.push_back(Access::key(t));
  node.control_inputs = std::move(spec.control_inputs);
  node.dtypes = std::move(spec.dtypes);
  node.shapes = std::move(spec.shapes);
  node.compute = std::move(spec.compute);
  node.pauses_tape = spec.pauses_tape;
  return g->add(std::move(node));
}

// A one-output op computed by `fn` from its inputs' values.
Tensor op1(const std::string& type, std::vector<Tensor> inputs, DType dtype, std::optional<Shape> shape,
           std::function<keras::Tensor(const keras::Tensors&)> fn, const std::string& name = {}) {
  auto g = graph_of(inputs, type);
  const size_t id = add_node(g, {.type = type,
                                 .inputs = std::move(inputs),
                                 .dtypes = {dtype},
                                 .shapes = {std::move(shape)},
                                 .compute = [fn = std::move(fn)](RunContext&, const keras::Tensors& in) {
                                   return keras::Tensors{fn(in)};
                                 },
                                 .name = name});
  return Access::tensor(g, id, 0);
}

// NumPy broadcasting of static shapes, None where the run decides; TensorFlow's message otherwise.
std::optional<Shape> broadcast(const std::string& type, const Tensor& a, const Tensor& b) {
  const auto sa = a.shape(), sb = b.shape();
  if (!sa || !sb) return std::nullopt;
  const int64_t rank = std::max(sa->rank(), sb->rank());
  std::vector<int64_t> dims(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - sa->rank() ? 1 : (*sa)[i - (rank - sa->rank())];
    const int64_t db = i < rank - sb->rank() ? 1 : (*sb)[i - (rank - sb->rank())];
    int64_t d;
    if (da == 1) {
      d = db;
    } else if (db == 1) {
      d = da;
    } else if (da == None || db == None) {
      d = da == None ? db : da;
    } else if (da == db) {
      d = da;
    } else {
      throw ValueError("Dimensions must be equal, but are " + std::to_string(da) + " and " + std::to_string(db) +
                       " for '" + type + "' with input shapes: " + sa->str() + ", " + sb->str() + ".");
    }
    dims[static_cast<size_t>(i)] = d;
  }
  return Shape(dims);
}

Tensor binary(const std::string& type, const Tensor& x, const Tensor& y,
              keras::Tensor (*fn)(const keras::Tensor&, const keras::Tensor&), std::optional<DType> dtype = {}) {
  graph_of({x, y}, type);
  const DType promoted = promote_types(x.dtype(), y.dtype());
  return op1(type, {x, y}, dtype.value_or(promoted), broadcast(type, x, y),
             [fn](const keras::Tensors& in) { return fn(in[0], in[1]); });
}

Tensor unary(const std::string& type, const Tensor& x, keras::Tensor (*fn)(const keras::Tensor&), bool to_float = false) {
  graph_of({x}, type);
  const DType dtype = to_float && !is_floating(x.dtype()) ? DType::float32 : x.dtype();
  return op1(type, {x}, dtype, x.shape(), [fn](const keras::Tensors& in) { return fn(in[0]); });
}

// A C++ number joins as a constant of the tensor's dtype (float32 when fractional and x is integer).
Tensor scalar_for(double value, const Tensor& x) {
  graph_of({x}, "Const");
  DType d = x.dtype();
  if (!is_floating(d) && value != std::floor(value)) d = DType::float32;
  auto scope = Access::graph(Access::impl(x)).as_default();
  return constant(keras::Tensor::scalar(value, d));
}

std::optional<Shape> reduced_shape(const Tensor& x, const AxisList& axis, bool keepdims, const std::string& type) {
  const auto s = x.shape();
  if (!s) return std::nullopt;
  if (!axis) return keepdims ? Shape(std::vector<int64_t>(static_cast<size_t>(s->rank()), 1)) : Shape{};
  std::vector<bool> reduced(static_cast<size_t>(s->rank()), false);
  for (int64_t a : *axis) reduced[static_cast<size_t>(normalize_axis(a, s->rank(), type))] = true;
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < s->rank(); ++i) {
    if (!reduced[static_cast<size_t>(i)]) {
      dims.push_back((*s)[i]);
    } else if (keepdims) {
      dims.push_back(1);
    }
  }
  return Shape(dims);
}

ops::Axes axes_of(const AxisList& axis) { return axis ? ops::Axes(*axis) : ops::Axes(); }

// The shape without its last axis (the per-example losses of a cross-entropy).
std::optional<Shape> without_last(const std::optional<Shape>& s) {
  if (!s || s->rank() == 0) return std::nullopt;
  return Shape(std::vector<int64_t>(s->dims().begin(), s->dims().end() - 1));
}

// Feeds convert without changing kind: anything numeric into a floating tensor, integers and bools
// into an integer one, bools into a bool one (NumPy's float64 arrays feed float32 placeholders).
bool feedable(DType value, DType target) {
  if (value == target || is_floating(target)) return true;
  if (is_integer(target)) return is_integer(value) || value == DType::bool_;
  return false;
}

keras::Tensor checked_feed(const Tensor& t, const keras::Tensor& value) {
  if (!value.defined()) throw ValueError("Cannot feed None for Tensor " + quoted(t));
  const DType want = t.dtype();
  if (!feedable(value.dtype(), want)) {
    throw ValueError("Cannot feed value of dtype " + std::string(dtype_name(value.dtype())) + " for Tensor " +
                     quoted(t) + ", which has dtype " + std::string(dtype_name(want)));
  }
  if (const auto s = t.shape()) {
    bool ok = value.rank() == s->rank();
    for (int64_t i = 0; ok && i < s->rank(); ++i) ok = (*s)[i] == None || (*s)[i] == value.shape()[i];
    if (!ok) {
      throw ValueError("Cannot feed value of shape " + value.shape().str() + " for Tensor " + quoted(t) +
                       ", which has shape " + s->str());
    }
  }
  return value.astype(want);
}

}  // namespace

// ---- Graph, Operation, Tensor ---------------------------------------------------------------------

Graph::Graph() : impl_(std::make_shared<GraphImpl>()) {}

Graph::DefaultScope::DefaultScope(std::shared_ptr<GraphImpl> graph) {
  detail::graph_stack.push_back(std::move(graph));
}
Graph::DefaultScope::~DefaultScope() { detail::graph_stack.pop_back(); }

std::vector<Operation> Graph::get_operations() const {
  std::vector<Operation> ops;
  for (size_t i = 0; i < impl_->nodes.size(); ++i) ops.push_back(Access::operation(impl_, i));
  return ops;
}

Operation Graph::get_operation_by_name(const std::string& name) const {
  auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end()) throw ValueError("The name '" + name + "' refers to an Operation not in the graph.");
  return Access::operation(impl_, it->second);
}

Tensor Graph::get_tensor_by_name(const std::string& name) const {
  const size_t colon = name.rfind(':');
  if (colon == std::string::npos) {
    throw ValueError("The name '" + name + "' looks like an (invalid) Operation name, not a Tensor. Tensor names "
                     "must be of the form \"<op_name>:<output_index>\".");
  }
  const Operation op = get_operation_by_name(name.substr(0, colon));
  const int64_t index = std::stoll(name.substr(colon + 1));
  if (index < 0 || index >= static_cast<int64_t>(impl_->nodes[Access::node(op)].dtypes.size())) {
    throw ValueError("The name '" + name + "' refers to a Tensor which does not exist. The operation, '" + op.name() +
                     "', exists but only has " + std::to_string(op.outputs().size()) + " outputs.");
  }
  return Access::tensor(impl_, Access::node(op), index);
}

Graph get_default_graph() { return Access::graph(detail::current_graph()); }

void reset_default_graph() {
  if (!detail::graph_stack.empty()) {
    throw RuntimeError("reset_default_graph: not allowed inside a Graph::as_default() scope");
  }
  detail::default_graph = std::make_shared<GraphImpl>();
}

std::string Operation::name() const { return graph_->nodes.at(node_).name; }
std::string Operation::type() const { return graph_->nodes.at(node_).type; }
Graph Operation::graph() const { return Access::graph(graph_); }
std::vector<Tensor> Operation::outputs() const {
  std::vector<Tensor> out;
  const size_t count = graph_->nodes.at(node_).dtypes.size();
  for (size_t i = 0; i < count; ++i) out.push_back(Access::tensor(graph_, node_, static_cast<int64_t>(i)));
  return out;
}

Operation Tensor::op() const { return Access::operation(graph_, node_); }
std::string Tensor::name() const { return graph_->nodes.at(node_).name + ":" + std::to_string(index_); }
DType Tensor::dtype() const { return graph_->nodes.at(node_).dtypes.at(static_cast<size_t>(index_)); }
std::optional<Shape> Tensor::shape() const { return graph_->nodes.at(node_).shapes.at(static_cast<size_t>(index_)); }
Graph Tensor::graph() const { return Access::graph(graph_); }

// ---- Sources ----------------------------------------------------------------------------------------

Tensor placeholder(DType dtype, std::optional<Shape> shape, const std::string& name) {
  auto g = detail::current_graph();
  Node node;
  node.type = "Placeholder";
  node.name = name.empty() ? "Placeholder" : name;
  node.dtypes = {dtype};
  node.shapes = {shape};
  node.placeholder = true;
  const size_t id = g->add(std::move(node));
  const std::string resolved = g->nodes[id].name;
  g->nodes[id].compute = [resolved, dtype, shape](RunContext&, const keras::Tensors&) -> keras::Tensors {
    throw ValueError("You must feed a value for placeholder tensor '" + resolved + "' with dtype " +
                     std::string(dtype_name(dtype)) + " and shape " + shape_text(shape));
  };
  return Access::tensor(g, id, 0);
}

Tensor constant(const keras::Tensor& value, const std::string& name) {
  if (!value.defined()) throw ValueError("constant: received an undefined (None) value");
  auto g = detail::current_graph();
  const size_t id = add_node(g, {.type = "Const",
                                 .inputs = {},
                                 .dtypes = {value.dtype()},
                                 .shapes = {value.shape()},
                                 .compute = [value](RunContext&, const keras::Tensors&) { return keras::Tensors{value}; },
                                 .name = name});
  return Access::tensor(g, id, 0);
}

Tensor zeros(const Shape& shape, DType dtype, const std::string& name) {
  return constant(ops::zeros(shape, dtype), name.empty() ? "zeros" : name);
}

Tensor ones(const Shape& shape, DType dtype, const std::string& name) {
  return constant(ops::ones(shape, dtype), name.empty() ? "ones" : name);
}

namespace {

enum class Distribution { normal, truncated_normal, uniform };

Tensor random_op(const std::string& type, Distribution dist, const Shape& shape, const RandomOptions& options) {
  if (!shape.is_fully_defined()) throw ValueError(type + ": the shape must be fully defined, got " + shape.str());
  std::shared_ptr<random::SeedGenerator> generator;
  if (options.seed) generator = std::make_shared<random::SeedGenerator>(*options.seed);
  auto g = detail::current_graph();
  const size_t id = add_node(
      g, {.type = type,
          .inputs = {},
          .dtypes = {options.dtype},
          .shapes = {shape},
          .compute = [dist, shape, options, generator](RunContext&, const keras::Tensors&) {
            const random::Seed seed = generator ? random::Seed(*generator) : random::Seed();
            switch (dist) {
              case Distribution::normal:
                return keras::Tensors{random::normal(shape, {options.mean, options.stddev, options.dtype, seed})};
              case Distribution::truncated_normal:
                return keras::Tensors{
                    random::truncated_normal(shape, {options.mean, options.stddev, options.dtype, seed})};
              case Distribution::uniform:
                break;
            }
            return keras::Tensors{random::uniform(shape, {options.minval, options.maxval, options.dtype, seed})};
          },
          .name = options.name});
  return Access::tensor(g, id, 0);
}

}  // namespace

Tensor random_normal(const Shape& shape, RandomOptions options) {
  return random_op("RandomStandardNormal", Distribution::normal, shape, options);
}
Tensor truncated_normal(const Shape& shape, RandomOptions options) {
  return random_op("TruncatedNormal", Distribution::truncated_normal, shape, options);
}
Tensor random_uniform(const Shape& shape, RandomOptions options) {
  return random_op("RandomUniform", Distribution::uniform, shape, options);
}

// ---- Math -------------------------------------------------------------------------------------------

Tensor add(const Tensor& x, const Tensor& y) { return binary("Add", x, y, ops::add); }
Tensor subtract(const Tensor& x, const Tensor& y) { return binary("Sub", x, y, ops::subtract); }
Tensor multiply(const Tensor& x, const Tensor& y) { return binary("Mul", x, y, ops::multiply); }
Tensor divide(const Tensor& x, const Tensor& y) {
  graph_of({x, y}, "RealDiv");
  const DType d = promote_types(x.dtype(), y.dtype());
  return binary("RealDiv", x, y, ops::divide, is_floating(d) ? d : DType::float32);
}
Tensor pow(const Tensor& x, const Tensor& y) { return binary("Pow", x, y, ops::power); }
Tensor maximum(const Tensor& x, const Tensor& y) { return binary("Maximum", x, y, ops::maximum); }
Tensor minimum(const Tensor& x, const Tensor& y) { return binary("Minimum", x, y, ops::minimum); }
Tensor equal(const Tensor& x, const Tensor& y) { return binary("Equal", x, y, ops::equal, DType::bool_); }
Tensor not_equal(const Tensor& x, const Tensor& y) { return binary("NotEqual", x, y, ops::not_equal, DType::bool_); }
Tensor less(const Tensor& x, const Tensor& y) { return binary("Less", x, y, ops::less, DType::bool_); }
Tensor greater(const Tensor& x, const Tensor& y) { return binary("Greater", x, y, ops::greater, DType::bool_); }

Tensor negative(const Tensor& x) { return unary("Neg", x, ops::negative); }
Tensor abs(const Tensor& x) { return unary("Abs", x, ops::abs); }
Tensor square(const Tensor& x) { return unary("Square", x, ops::square); }
Tensor sqrt(const Tensor& x) { return unary("Sqrt", x, ops::sqrt, true); }
Tensor exp(const Tensor& x) { return unary("Exp", x, ops::exp, true); }
Tensor log(const Tensor& x) { return unary("Log", x, ops::log, true); }
Tensor tanh(const Tensor& x) { return unary("Tanh", x, ops::tanh, true); }
Tensor sigmoid(const Tensor& x) { return unary("Sigmoid", x, ops::sigmoid, true); }
Tensor stop_gradient(const Tensor& x) { return unary("StopGradient", x, ops::stop_gradient); }

Tensor identity(const Tensor& x, const std::string& name) {
  graph_of({x}, "Identity");
  return op1("Identity", {x}, x.dtype(), x.shape(), [](const keras::Tensors& in) { return in[0]; }, name);
}

Tensor cast(const Tensor& x, DType dtype) {
  graph_of({x}, "Cast");
  return op1("Cast", {x}, dtype, x.shape(), [dtype](const keras::Tensors& in) { return ops::cast(in[0], dtype); });
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  graph_of({a, b}, "MatMul");
  std::optional<Shape> shape;
  const auto sa = a.shape(), sb = b.shape();
  for (const auto& s : {sa, sb}) {
    if (s && s->rank() != 2) {
      throw ValueError("Shape must be rank 2 but is rank " + std::to_string(s->rank()) +
                       " for 'MatMul' with input shapes: " + shape_text(sa) + ", " + shape_text(sb) + ".");
    }
  }
  if (sa && sb) {
    const int64_t m = (*sa)[transpose_a ? 1 : 0], k1 = (*sa)[transpose_a ? 0 : 1];
    const int64_t k2 = (*sb)[transpose_b ? 1 : 0], n = (*sb)[transpose_b ? 0 : 1];
    if (k1 != None && k2 != None && k1 != k2) {
      throw ValueError("Dimensions must be equal, but are " + std::to_string(k1) + " and " + std::to_string(k2) +
                       " for 'MatMul' with input shapes: " + sa->str() + ", " + sb->str() + ".");
    }
    shape = Shape{m, n};
  }
  return op1("MatMul", {a, b}, promote_types(a.dtype(), b.dtype()), shape,
             [transpose_a, transpose_b](const keras::Tensors& in) {
               return ops::matmul(transpose_a ? ops::transpose(in[0]) : in[0],
                                  transpose_b ? ops::transpose(in[1]) : in[1]);
             });
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  graph_of({x}, "Reshape");
  std::vector<int64_t> dims = shape.dims();
  const auto sx = x.shape();
  const bool infer = std::count(dims.begin(), dims.end(), int64_t{-1}) == 1;
  if (infer) {
    // The -1 is known now only when x's size is.
    int64_t known = 1;
    for (int64_t d : dims) known *= d == -1 ? 1 : d;
    const size_t at = static_cast<size_t>(std::find(dims.begin(), dims.end(), int64_t{-1}) - dims.begin());
    dims[at] = sx && sx->is_fully_defined() && known > 0 ? sx->size() / known : None;
  }
  return op1("Reshape", {x}, x.dtype(), Shape(dims),
             [shape](const keras::Tensors& in) { return ops::reshape(in[0], shape); });
}

Tensor one_hot(const Tensor& indices, int64_t depth, DType dtype) {
  graph_of({indices}, "OneHot");
  std::optional<Shape> shape;
  if (const auto s = indices.shape()) {
    std::vector<int64_t> dims = s->dims();
    dims.push_back(depth);
    shape = Shape(dims);
  }
  return op1("OneHot", {indices}, dtype, shape, [depth, dtype](const keras::Tensors& in) {
    const keras::Tensor idx = in[0].dtype() == DType::int64 ? in[0] : ops::cast(in[0], DType::int32);
    return ops::one_hot(idx, depth, -1, dtype);
  });
}

namespace {

Tensor reduction(const std::string& type, const Tensor& x, const AxisList& axis, bool keepdims,
                 keras::Tensor (*fn)(const keras::Tensor&, ops::Axes, bool), bool to_float = false) {
  graph_of({x}, type);
  const DType dtype = to_float && !is_floating(x.dtype()) ? DType::float32 : x.dtype();
  return op1(type, {x}, dtype, reduced_shape(x, axis, keepdims, type),
             [fn, axis, keepdims](const keras::Tensors& in) { return fn(in[0], axes_of(axis), keepdims); });
}

}  // namespace

Tensor reduce_sum(const Tensor& x, AxisList axis, bool keepdims) { return reduction("Sum", x, axis, keepdims, ops::sum); }
Tensor reduce_mean(const Tensor& x, AxisList axis, bool keepdims) {
  return reduction("Mean", x, axis, keepdims, ops::mean, true);
}
Tensor reduce_max(const Tensor& x, AxisList axis, bool keepdims) { return reduction("Max", x, axis, keepdims, ops::max); }

Tensor argmax(const Tensor& x, int64_t axis) {
  graph_of({x}, "ArgMax");
  return op1("ArgMax", {x}, DType::int64, reduced_shape(x, std::vector<int64_t>{axis}, false, "ArgMax"),
             [axis](const keras::Tensors& in) { return ops::cast(ops::argmax(in[0], axis), DType::int64); });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return subtract(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return multiply(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return divide(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_for(b, a)); }
Tensor operator-(const Tensor& a, double b) { return subtract(a, scalar_for(b, a)); }
Tensor operator*(const Tensor& a, double b) { return multiply(a, scalar_for(b, a)); }
Tensor operator/(const Tensor& a, double b) { return divide(a, scalar_for(b, a)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_for(a, b), b); }
Tensor operator-(double a, const Tensor& b) { return subtract(scalar_for(a, b), b); }
Tensor operator*(double a, const Tensor& b) { return multiply(scalar_for(a, b), b); }
Tensor operator/(double a, const Tensor& b) { return divide(scalar_for(a, b), b); }
Tensor operator-(const Tensor& a) { return negative(a); }

namespace nn {

Tensor relu(const Tensor& features) { return unary("Relu", features, ops::relu); }
Tensor sigmoid(const Tensor& x) { return v1::sigmoid(x); }
Tensor tanh(const Tensor& x) { return v1::tanh(x); }

Tensor softmax(const Tensor& logits, int64_t axis) {
  graph_of({logits}, "Softmax");
  return op1("Softmax", {logits}, logits.dtype(), logits.shape(),
             [axis](const keras::Tensors& in) { return ops::softmax(in[0], axis); });
}

Tensor log_softmax(const Tensor& logits, int64_t axis) {
  graph_of({logits}, "LogSoftmax");
  return op1("LogSoftmax", {logits}, logits.dtype(), logits.shape(),
             [axis](const keras::Tensors& in) { return ops::log_softmax(in[0], axis); });
}

namespace {

Tensor softmax_xent(const Tensor& labels, const Tensor& logits, bool labels_gradient) {
  const std::string type = "SoftmaxCrossEntropyWithLogits";
  graph_of({labels, logits}, type);
  const auto shape = broadcast(type, labels, logits);
  return op1(type, {labels, logits}, logits.dtype(), without_last(shape),
             [labels_gradient](const keras::Tensors& in) {
               const keras::Tensor y = labels_gradient ? in[0] : ops::stop_gradient(in[0]);
               return ops::negative(ops::sum(ops::multiply(ops::cast(y, in[1].dtype()), ops::log_softmax(in[1], -1)), -1));
             });
}

}  // namespace

Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  return softmax_xent(labels, logits, false);
}
Tensor softmax_cross_entropy_with_logits_v2(const Tensor& labels, const Tensor& logits) {
  return softmax_xent(labels, logits, true);
}

Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  const std::string type = "SparseSoftmaxCrossEntropyWithLogits";
  graph_of({labels, logits}, type);
  if (is_floating(labels.dtype())) {
    throw ValueError(type + ": labels must be integer class indices, got dtype " +
                     std::string(dtype_name(labels.dtype())));
  }
  return op1(type, {labels, logits}, logits.dtype(), labels.shape(), [](const keras::Tensors& in) {
    const keras::Tensor& z = in[1];
    const keras::Tensor idx = in[0].dtype() == DType::int64 ? in[0] : ops::cast(in[0], DType::int32);
    const keras::Tensor y = ops::one_hot(idx, z.shape()[-1], -1, z.dtype());
    return ops::negative(ops::sum(ops::multiply(y, ops::log_softmax(z, -1)), -1));
  });
}

}  // namespace nn

// ---- Variables --------------------------------------------------------------------------------------

namespace {

void assign_value(RunContext& ctx, size_t var_node, const std::string& name, const Shape& shape, DType dtype,
                  bool trainable, const keras::Tensor& value) {
  if (value.shape() != shape) {
    throw ValueError("Assign: cannot assign a value of shape " + value.shape().str() + " to variable '" + name +
                     "' of shape " + shape.str());
  }
  auto it = ctx.data.variables.find(var_node);
  if (it == ctx.data.variables.end()) {
    ctx.data.variables.emplace(var_node, keras::Variable(value.astype(dtype), {.name = name, .trainable = trainable}));
  } else {
    it->second.assign(value);
  }
}

keras::Variable& session_variable(RunContext& ctx, size_t var_node, const std::string& name) {
  auto it = ctx.data.variables.find(var_node);
  if (it == ctx.data.variables.end()) {
    // TensorFlow's FailedPreconditionError, with its wording.
    throw RuntimeError("Attempting to use uninitialized value " + name +
                       " (run global_variables_initializer() or the variable's initializer first)");
  }
  return it->second;
}

enum class AssignKind { assign, add, sub };

Tensor assign_op(const Variable& var, const Tensor& value, AssignKind kind) {
  const std::string type = kind == AssignKind::assign ? "Assign" : kind == AssignKind::add ? "AssignAdd" : "AssignSub";
  auto g = graph_of({var.value(), value}, type);
  const size_t var_node = Access::key(var.value()).node;
  const std::string name = var.value().op().name();
  const Shape shape = var.shape();
  const DType dtype = var.dtype();
  const bool trainable = var.trainable();
  const size_t id = add_node(
      g, {.type = type,
          .inputs = {value},
          .dtypes = {dtype},
          .shapes = {shape},
          .compute = [=](RunContext& ctx, const keras::Tensors& in) {
            keras::Tensor v = in[0];
            if (kind != AssignKind::assign) {
              const keras::Tensor current = session_variable(ctx, var_node, name).value();
              v = kind == AssignKind::add ? ops::add(current, v) : ops::subtract(current, v);
            }
            assign_value(ctx, var_node, name, shape, dtype, trainable, v.astype(dtype));
            return keras::Tensors{session_variable(ctx, var_node, name).value()};
          },
          .name = name + "/" + type});
  return Access::tensor(g, id, 0);
}

}  // namespace

Variable::Variable(const Tensor& initial_value, VariableOptions options) {
  auto g = graph_of({initial_value}, "Variable");
  const auto shape = initial_value.shape();
  if (!shape || !shape->is_fully_defined()) {
    throw ValueError("Variable: the initial value must have a fully defined shape, got " + shape_text(shape));
  }
  const DType dtype = initial_value.dtype();
  Node node;
  node.type = "VariableV2";
  node.name = options.name.empty() ? "Variable" : options.name;
  node.dtypes = {dtype};
  node.shapes = {shape};
  const size_t id = g->add(std::move(node));
  const std::string name = g->nodes[id].name;
  g->nodes[id].compute = [id, name](RunContext& ctx, const keras::Tensors&) {
    return keras::Tensors{session_variable(ctx, id, name).value()};
  };
  Access::set_variable(*this, Access::tensor(g, id, 0), Operation(), initial_value, options.trainable);
  const Tensor init = assign_op(*this, initial_value, AssignKind::assign);
  Access::set_variable(*this, Access::tensor(g, id, 0), init.op(), initial_value, options.trainable);
  g->variables.push_back({id, Access::node(init.op()), Access::key(initial_value), options.trainable});
}

Variable::Variable(const keras::Tensor& initial_value, VariableOptions options)
    : Variable(constant(initial_value, (options.name.empty() ? "Variable" : options.name) + "/initial_value"),
               options) {}

Tensor Variable::assign(const Tensor& value) const { return assign_op(*this, value, AssignKind::assign); }
Tensor Variable::assign_add(const Tensor& delta) const { return assign_op(*this, delta, AssignKind::add); }
Tensor Variable::assign_sub(const Tensor& delta) const { return assign_op(*this, delta, AssignKind::sub); }

namespace {

std::vector<Variable> variables_of(const std::shared_ptr<GraphImpl>& g, bool trainable_only) {
  std::vector<Variable> vars;
  for (const auto& r : g->variables) {
    if (!trainable_only || r.trainable) vars.push_back(Access::variable(g, r));
  }
  return vars;
}

}  // namespace

std::vector<Variable> global_variables() { return variables_of(detail::current_graph(), false); }
std::vector<Variable> trainable_variables() { return variables_of(detail::current_graph(), true); }

Operation group(const std::vector<Operation>& inputs, const std::string& name) {
  std::shared_ptr<GraphImpl> g;
  std::vector<size_t> control;
  for (const Operation& op : inputs) {
    if (!op.defined()) throw ValueError("group: received an undefined operation");
    if (g && Access::impl(op) != g) throw ValueError("group: operations must be from the same graph");
    g = Access::impl(op);
    control.push_back(Access::node(op));
  }
  if (!g) g = detail::current_graph();
  const size_t id = add_node(g, {.type = "NoOp",
                                 .inputs = {},
                                 .dtypes = {},
                                 .shapes = {},
                                 .compute = [](RunContext&, const keras::Tensors&) { return keras::Tensors{}; },
                                 .name = name.empty() ? "group_deps" : name,
                                 .control_inputs = control});
  return Access::operation(g, id);
}

Operation no_op(const std::string& name) { return group({}, name.empty() ? "NoOp" : name); }

Operation variables_initializer(const std::vector<Variable>& var_list, const std::string& name) {
  std::vector<Operation> inits;
  for (const Variable& v : var_list) inits.push_back(v.initializer());
  return group(inits, name);
}

Operation global_variables_initializer() { return variables_initializer(global_variables(), "init"); }

// ---- Gradients --------------------------------------------------------------------------------------

namespace {

// The nodes `from` depends on through data inputs (itself included).
std::vector<bool> ancestors(const GraphImpl& g, size_t from) {
  std::vector<bool> seen(g.nodes.size(), false);
  std::vector<size_t> stack{from};
  while (!stack.empty()) {
    const size_t n = stack.back();
    stack.pop_back();
    if (seen[n]) continue;
    seen[n] = true;
    for (const Key& k : g.nodes[n].inputs) stack.push_back(k.node);
  }
  return seen;
}

}  // namespace

std::vector<Tensor> gradients(const Tensor& ys, const std::vector<Tensor>& xs) {
  std::vector<Tensor> all{ys};
  all.insert(all.end(), xs.begin(), xs.end());
  auto g = graph_of(all, "gradients");
  const std::vector<bool> deps = ancestors(*g, Access::key(ys).node);
  for (size_t n = 0; n < deps.size(); ++n) {
    if (deps[n] && g->nodes[n].type == "Gradients") {
      throw NotImplementedError("gradients: " + quoted(ys) + " depends on the gradients op '" + g->nodes[n].name +
                                "'; gradients of gradients are not supported");
    }
  }
  std::vector<Tensor> inputs{ys};
  std::vector<size_t> position(xs.size(), SIZE_MAX);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (deps[Access::key(xs[i]).node]) {
      position[i] = inputs.size() - 1;
      inputs.push_back(xs[i]);
    }
  }
  std::vector<Tensor> result(xs.size());
  if (inputs.size() == 1) return result;  // ys depends on none of xs: every gradient is None
  std::vector<DType> dtypes;
  std::vector<std::optional<Shape>> shapes;
  for (size_t i = 1; i < inputs.size(); ++i) {
    dtypes.push_back(inputs[i].dtype());
    shapes.push_back(inputs[i].shape());
  }
  const size_t id = add_node(g, {.type = "Gradients",
                                 .inputs = inputs,
                                 .dtypes = dtypes,
                                 .shapes = shapes,
                                 .compute = [](RunContext& ctx, const keras::Tensors& in) {
                                   return ctx.tape->gradient(in[0], keras::Tensors(in.begin() + 1, in.end()));
                                 },
                                 .name = "gradients",
                                 .pauses_tape = true});
  for (size_t i = 0; i < xs.size(); ++i) {
    if (position[i] != SIZE_MAX) result[i] = Access::tensor(g, id, static_cast<int64_t>(position[i]));
  }
  return result;
}

// ---- Session ----------------------------------------------------------------------------------------

namespace {

// What one kind of run evaluates: the nodes its fetches need (in creation order, which is
// topological), minus what the feeds cut off.
struct Plan {
  std::function<keras::Tensors(const keras::Tensors&)> run;  // through `function`, or eager if untraceable
  std::optional<keras::Function> function;                     // execute() on this plan, traced per feed signature
  std::vector<size_t> order;
  std::vector<Key> fetches;
  std::vector<Key> feeds;
  std::vector<std::vector<int64_t>> watch;  // per node: outputs a gradients node differentiates by
  bool needs_tape = false;
};

std::shared_ptr<Plan> make_plan(const GraphImpl& g, const std::vector<Key>& fetches, const std::vector<Key>& feeds) {
  auto plan = std::make_shared<Plan>();
  plan->fetches = fetches;
  plan->feeds = feeds;
  plan->watch.resize(g.nodes.size());
  std::vector<bool> fed(g.nodes.size(), false), needed(g.nodes.size(), false);
  for (const Key& k : feeds) fed[k.node] = true;
  std::vector<size_t> stack;
  for (const Key& k : fetches) stack.push_back(k.node);
  while (!stack.empty()) {
    const size_t n = stack.back();
    stack.pop_back();
    if (needed[n]) continue;
    needed[n] = true;
    if (fed[n]) continue;
    for (const Key& k : g.nodes[n].inputs) stack.push_back(k.node);
    for (size_t c : g.nodes[n].control_inputs) stack.push_back(c);
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (!needed[n]) continue;
    plan->order.push_back(n);
    if (!fed[n] && g.nodes[n].type == "Gradients") {
      plan->needs_tape = true;
      for (size_t i = 1; i < g.nodes[n].inputs.size(); ++i) {
        const Key& src = g.nodes[n].inputs[i];
        plan->watch[src.node].push_back(src.index);
      }
    }
  }
  return plan;
}

keras::Tensors execute(const GraphImpl& g, detail::SessionData& data, const Plan& plan,
                       const keras::Tensors& feed_values) {
  std::vector<keras::Tensors> values(g.nodes.size());
  std::vector<bool> fed(g.nodes.size(), false);
  for (size_t i = 0; i < plan.feeds.size(); ++i) {
    values[plan.feeds[i].node] = {feed_values[i]};
    fed[plan.feeds[i].node] = true;
  }
  std::optional<keras::GradientTape> tape;
  if (plan.needs_tape) tape.emplace(keras::GradientTapeOptions{.persistent = true, .watch_accessed_variables = false});
  RunContext ctx{data, tape ? &*tape : nullptr};
  for (size_t n : plan.order) {
    const Node& node = g.nodes[n];
    if (!fed[n]) {
      keras::Tensors in;
      in.reserve(node.inputs.size());
      for (const Key& k : node.inputs) in.push_back(values[k.node][static_cast<size_t>(k.index)]);
      std::optional<keras::GradientTape::StopRecording> pause;
      if (tape && node.pauses_tape) pause.emplace(*tape);
      values[n] = node.compute(ctx, in);
    }
    if (tape) {
      for (int64_t k : plan.watch[n]) {
        if (values[n][static_cast<size_t>(k)].defined()) tape->watch(values[n][static_cast<size_t>(k)]);
      }
    }
  }
  keras::Tensors out;
  for (const Key& k : plan.fetches) {
    out.push_back(k.index < 0 ? keras::Tensor() : values[k.node][static_cast<size_t>(k.index)]);
  }
  return out;
}

// Variables and optimizers a session holds.
size_t state_size(const detail::SessionData& data) { return data.variables.size() + data.optimizers.size(); }

// The plan's run: a keras::function of the feed values over execute(), so that each kind of run is
// traced once per feed signature (shapes, dtypes, devices) and its graph replayed after, as TF's
// Session runs a graph. A run that creates variables or optimizer state keeps no trace: creation
// happens once, while tracing, and would be missing from replays (an initializer run again must
// assign again), so the next such run traces with the state in place. A run that reads values on
// the host runs eagerly. The run holds the state weakly so that cached plans do not keep the
// session alive.
template <class StatePtr>
void compile(Plan& plan, const StatePtr& state) {
  std::weak_ptr weak(state);
  auto body = [weak, &plan](const keras::Tensors& feeds) {
    auto s = weak.lock();
    if (!s) throw RuntimeError("Session: the session this run belongs to was destroyed");
    return execute(*s->graph, s->data, plan, feeds);
  };
  const keras::FunctionOptions options{.name = "Session.run", .eager_fallback = true};
  plan.function = keras::function(body, options);
  plan.run = [weak, &plan, body, options](const keras::Tensors& feeds) {
    auto s = weak.lock();
    if (!s) throw RuntimeError("Session: the session this run belongs to was destroyed");
    const size_t before = state_size(s->data);
    const int64_t traces = plan.function->trace_count();
    keras::Tensors out = (*plan.function)(feeds);
    s->trace_count += plan.function->trace_count() - traces;
    if (state_size(s->data) != before) plan.function = keras::function(body, options);
    return out;
  };
}

}  // namespace


struct Session::State {
  std::shared_ptr<GraphImpl> graph;
  detail::SessionData data;
  std::map<std::vector<std::pair<size_t, int64_t>>, std::shared_ptr<Plan>> plans;
  int64_t trace_count = 0;
};

Session::Session(Graph graph) : state_(std::make_shared<State>()) { state_->graph = Access::impl(graph); }

Graph Session::graph() const { return Access::graph(state_->graph); }

int64_t Session::trace_count() const { return state_->trace_count; }

namespace {

Key fetch_key(const std::shared_ptr<GraphImpl>& g, const Fetch& f) {
  if (f.operation().defined()) {
    if (Access::impl(f.operation()) != g) {
      throw ValueError("Operation '" + f.operation().name() + "' is not an element of this graph.");
    }
    return {Access::node(f.operation()), -1};
  }
  if (!f.tensor().defined()) throw ValueError("Fetch argument None has invalid type (an undefined Tensor)");
  if (Access::impl(f.tensor()) != g) throw ValueError("Tensor " + quoted(f.tensor()) + " is not an element of this graph.");
  return Access::key(f.tensor());
}

Key feed_key(const std::shared_ptr<GraphImpl>& g, const Tensor& t) {
  if (!t.defined()) throw ValueError("Cannot feed a None (undefined) tensor");
  if (Access::impl(t) != g) throw ValueError("Tensor " + quoted(t) + " is not an element of this graph.");
  if (node_of(t).dtypes.size() != 1) {
    throw NotImplementedError("Cannot feed " + quoted(t) + ": feeding one output of a multi-output op is not supported");
  }
  return Access::key(t);
}

}  // namespace

keras::Tensors Session::run(const std::vector<Fetch>& fetches, const FeedDict& feed_dict) {
  const auto& g = state_->graph;
  std::vector<Key> fetch_keys, feed_keys;
  for (const Fetch& f : fetches) fetch_keys.push_back(fetch_key(g, f));
  keras::Tensors feed_values;
  for (const auto& [tensor, value] : feed_dict) {
    feed_keys.push_back(feed_key(g, tensor));
    feed_values.push_back(checked_feed(tensor, value));
  }
  std::vector<std::pair<size_t, int64_t>> signature;
  for (const Key& k : fetch_keys) signature.emplace_back(k.node, k.index);
  signature.emplace_back(SIZE_MAX, 0);
  for (const Key& k : feed_keys) signature.emplace_back(k.node, k.index);
  std::shared_ptr<Plan>& plan = state_->plans[signature];
  if (!plan) {
    plan = make_plan(*g, fetch_keys, feed_keys);
    compile(*plan, state_);
  }
  return plan->run(feed_values);
}

keras::Tensor Session::run(const Tensor& fetch, const FeedDict& feed_dict) {
  return run(std::vector<Fetch>{Fetch(fetch)}, feed_dict)[0];
}

void Session::run(const Operation& fetch, const FeedDict& feed_dict) { run(std::vector<Fetch>{Fetch(fetch)}, feed_dict); }

Session::Callable Session::make_callable(const std::vector<Fetch>& fetches, const std::vector<Tensor>& feed_list) {
  const auto& g = state_->graph;
  std::vector<Key> fetch_keys, feed_keys;
  for (const Fetch& f : fetches) fetch_keys.push_back(fetch_key(g, f));
  for (const Tensor& t : feed_list) feed_keys.push_back(feed_key(g, t));
  auto plan = make_plan(*g, fetch_keys, feed_keys);
  compile(*plan, state_);
  return [state = state_, plan, feed_list](const keras::Tensors& feed_values) {
    if (feed_values.size() != feed_list.size()) {
      throw ValueError("Session callable: expected " + std::to_string(feed_list.size()) + " feed values, got " +
                       std::to_string(feed_values.size()));
    }
    keras::Tensors checked;
    for (size_t i = 0; i < feed_values.size(); ++i) checked.push_back(checked_feed(feed_list[i], feed_values[i]));
    return plan->run(checked);
  };
}

// ---- Optimizers -------------------------------------------------------------------------------------

namespace train {

std::vector<std::pair<Tensor, Variable>> Optimizer::compute_gradients(const Tensor& loss, std::vector<Variable> var_list) {
  graph_of({loss}, "compute_gradients");
  if (var_list.empty()) var_list = variables_of(Access::impl(loss), true);
  if (var_list.empty()) throw ValueError("No variables to optimize.");
  std::vector<Tensor> xs;
  for (const Variable& v : var_list) xs.push_back(v.value());
  const std::vector<Tensor> grads = gradients(loss, xs);
  std::vector<std::pair<Tensor, Variable>> out;
  for (size_t i = 0; i < var_list.size(); ++i) out.emplace_back(grads[i], var_list[i]);
  return out;
}

Operation Optimizer::apply_gradients(const std::vector<std::pair<Tensor, Variable>>& grads_and_vars,
                                     const std::string& name) {
  std::vector<Tensor> grads;
  std::vector<std::pair<size_t, std::string>> vars;
  std::string names;
  for (const auto& [grad, var] : grads_and_vars) {
    names += (names.empty() ? "" : ", ") + ("'" + var.name() + "'");
    if (!grad.defined()) continue;
    grads.push_back(grad);
    vars.emplace_back(Access::key(var.value()).node, var.value().op().name());
  }
  if (grads.empty()) {
    throw ValueError("No gradients provided for any variable, check your graph for ops that do not support "
                     "gradients, between variables [" + names + "] and loss.");
  }
  auto g = graph_of(grads, "apply_gradients");
  const size_t id = add_node(
      g, {.type = name_ == "Adam" ? "ApplyAdam" : "ApplyGradientDescent",
          .inputs = grads,
          .dtypes = {},
          .shapes = {},
          .compute = {},
          .name = name.empty() ? name_ : name,
          .pauses_tape = true});
  g->nodes[id].compute = [id, vars, make = factory()](RunContext& ctx, const keras::Tensors& in) {
    std::shared_ptr<keras::optimizers::Optimizer>& opt = ctx.data.optimizers[id];
    if (!opt) opt = make();
    std::vector<keras::Variable> targets;
    for (const auto& [node, var_name] : vars) targets.push_back(session_variable(ctx, node, var_name));
    opt->apply_gradients(in, targets);
    return keras::Tensors{};
  };
  return Access::operation(g, id);
}

Operation Optimizer::minimize(const Tensor& loss, std::vector<Variable> var_list, const std::string& name) {
  return apply_gradients(compute_gradients(loss, std::move(var_list)), name);
}

GradientDescentOptimizer::GradientDescentOptimizer(double learning_rate)
    : Optimizer("GradientDescent"), learning_rate_(learning_rate) {}

Optimizer::Factory GradientDescentOptimizer::factory() const {
  return [lr = learning_rate_] {
    return std::make_shared<keras::optimizers::SGD>(keras::optimizers::SGDOptions{.learning_rate = lr});
  };
}

AdamOptimizer::AdamOptimizer(double learning_rate, AdamOptimizerOptions options)
    : Optimizer("Adam"), learning_rate_(learning_rate), options_(options) {}

Optimizer::Factory AdamOptimizer::factory() const {
  return [lr = learning_rate_, o = options_] {
    return std::make_shared<keras::optimizers::Adam>(
        keras::optimizers::AdamOptions{.learning_rate = lr, .beta_1 = o.beta1, .beta_2 = o.beta2, .epsilon = o.epsilon});
  };
}

}  // namespace train
}  // namespace keras::compat::v1
