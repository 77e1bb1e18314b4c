#pragma once
#include <keras/core/tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keras::optimizers {
class Optimizer;
}

/// tf.compat.v1: TensorFlow 1's define-and-run style. Ops add nodes to a Graph and return symbolic
/// Tensors; a Session evaluates the nodes its fetches need, with placeholders fed, and holds the
/// Variables' values. Nodes compute with keras::ops, and gradients come from a GradientTape that a
/// run opens when it evaluates a gradients node. Each kind of run is a keras::function: traced into
/// a graph on its first call per feed signature, replayed after (as TF1 runs its graph).
///
///   namespace tf = keras::compat::v1;
///   tf::Tensor x = tf::placeholder(DType::float32, Shape{None, 784});
///   tf::Variable w(tf::zeros({784, 10})), b(tf::zeros({10}));
///   tf::Tensor logits = tf::matmul(x, w) + b;
///   tf::Operation train = tf::train::GradientDescentOptimizer(0.5).minimize(loss);
///   tf::Session sess;
///   sess.run(tf::global_variables_initializer());
///   sess.run(train, {{x, batch}, {labels, batch_labels}});
namespace keras::compat::v1 {

namespace detail {
struct GraphImpl;
}  // namespace detail

class Operation;
class Tensor;
class Variable;

/// tf.Graph: the operations ops add. Copies are handles to the same graph.
class Graph {
 public:
  Graph();
  /// `with graph.as_default():` ops created while the scope lives go to this graph.
  class DefaultScope {
   public:
    explicit DefaultScope(std::shared_ptr<detail::GraphImpl> graph);
    ~DefaultScope();
    DefaultScope(const DefaultScope&) = delete;
    DefaultScope& operator=(const DefaultScope&) = delete;
  };
  [[nodiscard]] DefaultScope as_default() const { return DefaultScope(impl_); }

  std::vector<Operation> get_operations() const;
  /// Throws ValueError naming the graph's operations when there is none of that name.
  Operation get_operation_by_name(const std::string& name) const;
  /// "name:index", e.g. "x:0".
  Tensor get_tensor_by_name(const std::string& name) const;
  bool operator==(const Graph& other) const { return impl_ == other.impl_; }

 private:
  friend struct Access;
  explicit Graph(std::shared_ptr<detail::GraphImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<detail::GraphImpl> impl_;
};

/// tf.get_default_graph: the graph ops go to outside any as_default() scope (one per thread).
Graph get_default_graph();
/// tf.reset_default_graph: a fresh default graph; existing handles keep the old one alive.
void reset_default_graph();

/// tf.Operation: a node of a graph. Running it (Session::run) runs what it depends on.
class Operation {
 public:
  Operation() = default;
  std::string name() const;
  /// The op's type, as TensorFlow names it: "Placeholder", "MatMul", "VariableV2", ...
  std::string type() const;
  std::vector<Tensor> outputs() const;
  Graph graph() const;
  bool defined() const { return graph_ != nullptr; }
  bool operator==(const Operation& other) const { return graph_ == other.graph_ && node_ == other.node_; }

 private:
  friend struct Access;
  Operation(std::shared_ptr<detail::GraphImpl> graph, size_t node) : graph_(std::move(graph)), node_(node) {}
  std::shared_ptr<detail::GraphImpl> graph_;
  size_t node_ = 0;
};

/// tf.Tensor of a graph: output `value_index` of an operation. It has a value only inside
/// Session::run. A default-constructed Tensor stands for None (e.g. an unconnected gradient).
class Tensor {
 public:
  Tensor() = default;
  Operation op() const;
  int64_t value_index() const { return index_; }
  /// "op_name:index", e.g. "MatMul:0".
  std::string name() const;
  DType dtype() const;
  /// The static shape, None where unknown until run; std::nullopt when even the rank is unknown.
  std::optional<Shape> shape() const;
  Graph graph() const;
  bool defined() const { return graph_ != nullptr; }
  bool operator==(const Tensor& other) const {
    return graph_ == other.graph_ && node_ == other.node_ && index_ == other.index_;
  }

 private:
  friend struct Access;
  Tensor(std::shared_ptr<detail::GraphImpl> graph, size_t node, int64_t index)
      : graph_(std::move(graph)), node_(node), index_(index) {}
  std::shared_ptr<detail::GraphImpl> graph_;
  size_t node_ = 0;
  int64_t index_ = 0;
};

struct VariableOptions {
  bool trainable = true;
  std::string name = {};  // empty: "Variable", "Variable_1", ...
};

/// tf.Variable of TF1: a graph node whose value lives in each Session; reads as a Tensor. Its
/// initializer assigns the initial value (global_variables_initializer() runs them all).
class Variable {
 public:
  Variable() = default;
  /// The initial value's shape must be fully known.
  explicit Variable(const Tensor& initial_value, VariableOptions options = {});
  explicit Variable(const keras::Tensor& initial_value, VariableOptions options = {});

  /// The variable's value as read by the ops that use it.
  const Tensor& value() const { return value_; }
  operator const Tensor&() const { return value_; }  // NOLINT: a Variable reads as a Tensor, as in TF
  /// The Assign of the initial value.
  const Operation& initializer() const { return initializer_; }
  const Tensor& initial_value() const { return initial_value_; }
  /// "name:0".
  std::string name() const { return value_.name(); }
  DType dtype() const { return value_.dtype(); }
  Shape shape() const { return *value_.shape(); }
  bool trainable() const { return trainable_; }
  /// An op assigning `value` when run (its output is the new value).
  Tensor assign(const Tensor& value) const;
  Tensor assign_add(const Tensor& delta) const;
  Tensor assign_sub(const Tensor& delta) const;
  bool operator==(const Variable& other) const { return value_ == other.value_; }

 private:
  friend struct Access;
  Tensor value_;
  Operation initializer_;
  Tensor initial_value_;
  bool trainable_ = true;
};

// ---- Sources ----------------------------------------------------------------------------------

/// tf.placeholder: a value the caller feeds to Session::run; shape dims may be None, and no shape
/// (std::nullopt) accepts any.
Tensor placeholder(DType dtype, std::optional<Shape> shape = std::nullopt, const std::string& name = {});
/// tf.constant.
Tensor constant(const keras::Tensor& value, const std::string& name = {});
Tensor zeros(const Shape& shape, DType dtype = DType::float32, const std::string& name = {});
Tensor ones(const Shape& shape, DType dtype = DType::float32, const std::string& name = {});

struct RandomOptions {
  double mean = 0.0;    // random_normal / truncated_normal
  double stddev = 1.0;  // random_normal / truncated_normal
  double minval = 0.0;  // random_uniform
  double maxval = 1.0;  // random_uniform
  DType dtype = DType::float32;
  std::optional<uint64_t> seed = {};  // with a seed, successive runs draw a reproducible sequence
  std::string name = {};
};
/// Random ops draw new values each time a run evaluates them, as TensorFlow's stateful ones do.
Tensor random_normal(const Shape& shape, RandomOptions options = {});
Tensor truncated_normal(const Shape& shape, RandomOptions options = {});
Tensor random_uniform(const Shape& shape, RandomOptions options = {});

// ---- Math -------------------------------------------------------------------------------------
// Operands promote as keras::ops do; a C++ number takes the tensor's dtype.

Tensor add(const Tensor& x, const Tensor& y);
Tensor subtract(const Tensor& x, const Tensor& y);
Tensor multiply(const Tensor& x, const Tensor& y);
/// True division (integers give float32).
Tensor divide(const Tensor& x, const Tensor& y);
Tensor pow(const Tensor& x, const Tensor& y);
Tensor maximum(const Tensor& x, const Tensor& y);
Tensor minimum(const Tensor& x, const Tensor& y);
Tensor negative(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor equal(const Tensor& x, const Tensor& y);
Tensor not_equal(const Tensor& x, const Tensor& y);
Tensor less(const Tensor& x, const Tensor& y);
Tensor greater(const Tensor& x, const Tensor& y);
Tensor cast(const Tensor& x, DType dtype);
Tensor identity(const Tensor& x, const std::string& name = {});
Tensor stop_gradient(const Tensor& x);
/// tf.matmul of matrices (rank 2), optionally transposing either.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);
/// One -1 dimension is inferred at run time.
Tensor reshape(const Tensor& x, const Shape& shape);
/// tf.one_hot: a new last axis of `depth`, on_value 1 and off_value 0.
Tensor one_hot(const Tensor& indices, int64_t depth, DType dtype = DType::float32);

/// The `axis` of a reduction: every axis by default, or the listed ones.
using AxisList = std::optional<std::vector<int64_t>>;
Tensor reduce_sum(const Tensor& x, AxisList axis = std::nullopt, bool keepdims = false);
Tensor reduce_mean(const Tensor& x, AxisList axis = std::nullopt, bool keepdims = false);
Tensor reduce_max(const Tensor& x, AxisList axis = std::nullopt, bool keepdims = false);
/// tf.argmax (int64, as TensorFlow's output_type default).
Tensor argmax(const Tensor& x, int64_t axis);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);

namespace nn {
Tensor relu(const Tensor& features);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor softmax(const Tensor& logits, int64_t axis = -1);
Tensor log_softmax(const Tensor& logits, int64_t axis = -1);
/// -sum(labels * log_softmax(logits)) over the last axis; as TF1's, no gradient reaches labels.
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
/// The same with gradients into labels too.
Tensor softmax_cross_entropy_with_logits_v2(const Tensor& labels, const Tensor& logits);
/// Integer class labels of logits' shape without the last axis.
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
}  // namespace nn

// ---- Gradients, variables, grouping ------------------------------------------------------------

/// tf.gradients: d(sum(ys))/dx for each x; an undefined Tensor (None) for an x that ys does not
/// depend on. Computed at run time by a GradientTape over the forward nodes of that run.
std::vector<Tensor> gradients(const Tensor& ys, const std::vector<Tensor>& xs);
/// tf.group: an op that runs all of `inputs`.
Operation group(const std::vector<Operation>& inputs, const std::string& name = {});
Operation no_op(const std::string& name = {});
/// Variables of the default graph in creation order.
std::vector<Variable> global_variables();
std::vector<Variable> trainable_variables();
/// An op running the initializers of `var_list`.
Operation variables_initializer(const std::vector<Variable>& var_list, const std::string& name = "init");
/// An op running the initializers of every variable the default graph holds now.
Operation global_variables_initializer();

// ---- Sessions ----------------------------------------------------------------------------------

/// What Session::run fetches: a Tensor (gives its value) or an Operation (gives None).
class Fetch {
 public:
  Fetch(const Tensor& tensor) : tensor_(tensor) {}                   // NOLINT
  Fetch(const Variable& variable) : tensor_(variable.value()) {}     // NOLINT
  Fetch(const Operation& operation) : operation_(operation) {}       // NOLINT
  const Tensor& tensor() const { return tensor_; }
  const Operation& operation() const { return operation_; }

 private:
  Tensor tensor_;
  Operation operation_;
};

/// feed_dict: values for placeholders (or any tensor, replacing what it would compute).
using FeedDict = std::vector<std::pair<Tensor, keras::Tensor>>;

/// tf.Session: runs a graph and holds its Variables' values and the optimizers' state.
class Session {
 public:
  explicit Session(Graph graph = get_default_graph());

  /// Evaluates exactly the nodes the fetches need (feeds cut the graph), each once per run.
  /// A feed must match its tensor's static shape ("Cannot feed value of shape (…) for Tensor …,
  /// which has shape (…)") and convert to its dtype without loss of kind (numbers into floating
  /// placeholders, integers and bools into integer ones, bools into bool ones).
  keras::Tensor run(const Tensor& fetch, const FeedDict& feed_dict = {});
  void run(const Operation& fetch, const FeedDict& feed_dict = {});
  keras::Tensors run(const std::vector<Fetch>& fetches, const FeedDict& feed_dict = {});

  /// Session.make_callable: the run of `fetches` with `feed_list` fed, as a function of the feed
  /// values in that order; it skips the per-run pruning and name checks.
  using Callable = std::function<keras::Tensors(const keras::Tensors& feed_values)>;
  Callable make_callable(const std::vector<Fetch>& fetches, const std::vector<Tensor>& feed_list = {});

  Graph graph() const;
  /// keras-cpp: the graphs this session's runs traced. Each kind of run (its fetches and feeds) is
  /// traced by keras::function once per feed signature (shapes, dtypes) and replayed after.
  int64_t trace_count() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

namespace train {

/// tf.train.Optimizer: compute_gradients + apply_gradients = minimize. The update itself is the
/// Keras optimizer's, with its state kept per Session.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// (gradient, variable) for each of var_list (default: the graph's trainable variables); the
  /// gradient is undefined (None) where the loss does not depend on the variable.
  std::vector<std::pair<Tensor, Variable>> compute_gradients(const Tensor& loss, std::vector<Variable> var_list = {});
  /// An op updating each variable by its gradient; throws ValueError when every gradient is None.
  Operation apply_gradients(const std::vector<std::pair<Tensor, Variable>>& grads_and_vars,
                            const std::string& name = {});
  Operation minimize(const Tensor& loss, std::vector<Variable> var_list = {}, const std::string& name = {});

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}
  /// Makes a fresh Keras optimizer for each Session (the update op may outlive this object).
  using Factory = std::function<std::shared_ptr<keras::optimizers::Optimizer>()>;
  virtual Factory factory() const = 0;

 private:
  std::string name_;
};

/// tf.train.GradientDescentOptimizer: var -= learning_rate * grad.
class GradientDescentOptimizer final : public Optimizer {
 public:
  explicit GradientDescentOptimizer(double learning_rate);

 protected:
  Factory factory() const override;

 private:
  double learning_rate_;
};

struct AdamOptimizerOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;  // TF1's default (Keras's is 1e-7)
};

/// tf.train.AdamOptimizer: the Adam update with TF1's defaults.
class AdamOptimizer final : public Optimizer {
 public:
  explicit AdamOptimizer(double learning_rate = 0.001, AdamOptimizerOptions options = {});

 protected:
  Factory factory() const override;

 private:
  double learning_rate_;
  AdamOptimizerOptions options_;
};

}  // namespace train
}  // namespace keras::compat::v1
