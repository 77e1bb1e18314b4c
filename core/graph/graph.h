#pragma once
#include <keras/core/tensor.h>
#include <keras/core/variable.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

/// The graphs keras::function traces: kernel calls and variable accesses in program order.
namespace keras::graph {

/// What a node does when the graph replays.
enum class NodeKind : uint8_t {
  kernel,  // re-runs one kernel with the arguments captured at trace time
  view,    // a zero-copy view (reshape, ...) of another value's buffer
  read,    // reads a Variable's current value
  assign,  // assigns a value to a Variable
  host,    // runs host code (optimizer step, random draw) that reads state which changes per call
  control, // cond / while / scan: replays its sub-graphs as a host-read predicate or count chooses
};

/// A tensor of the graph. Its handle is the traced tensor itself: replay rebinds that handle's
/// buffer, so every captured argument that shares it sees the new value.
struct Value {
  Tensor tensor;
  int producer = -1;     // node index; -1 for inputs and constants
  int input_index = -1;  // position among the function's arguments, or -1
  bool constant = false;  // captured at trace time (not produced in the graph): never changes
  bool external = false;  // a sub-graph's read of an enclosing graph's value: bound and freed there
};

class Graph;

struct Node {
  NodeKind kind;
  std::string op;     // kernel name ("matmul"), or "view", "read", "assign", a host node's name
  std::string attrs;  // for printing
  std::vector<int> inputs;  // value indices; -1 for an undefined (None) argument
  std::vector<int> outputs;
  std::function<Tensors()> kernel;                // kernel: the call, with captured arguments
  std::function<Tensors(const Tensors&)> host;    // host: from the inputs' current values
  std::string cse_key;                            // kernel nodes whose attrs say everything; else empty
  // kernel: the captured arguments, a std::tuple<detail::Owned<A>...> of the kernel's parameter types
  // (core/graph/capture.h), for passes that rebuild a call (detail::kernel_args). Reset by a pass
  // that makes the node another call.
  std::shared_ptr<const void> args;
  Variable variable;                              // read / assign
  int64_t view_offset = 0;                        // view: byte offset from its input's buffer
  bool removed = false;                           // dropped by a pass
  std::vector<std::shared_ptr<Graph>> subgraphs;          // control: branches, loop cond and body, scan step
  bool effects = false;  // control: a sub-graph assigns variables or runs host code (never dead)
};

/// One traced function body, replayable. Passes rewrite it; the counts they return are nodes removed.
class Graph {
 public:
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<Value>& values() const { return values_; }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }
  /// Nodes not removed by a pass.
  size_t node_count() const;
  /// Live nodes of one op name ("matmul", "binary", "read", ...).
  size_t count(const std::string& op) const;

  /// Runs the graph on `args` (the traced signature) and returns fresh output tensors.
  Tensors run(const Tensors& args);
  /// Drops the graph's hold on every buffer but its constants' (after tracing; run() does it itself).
  void release();

  /// Removes pure nodes (kernels, views, reads) whose outputs nothing uses.
  size_t eliminate_dead_code();
  /// Evaluates pure kernels whose inputs are all constants once: their outputs become constants.
  size_t fold_constants();
  /// Replaces a kernel node that repeats an earlier one (same op, attributes and inputs) by a view of it.
  size_t eliminate_common_subexpressions();
  /// matmul (no bias) -> add of a (N,) bias -> relu becomes one matmul with bias and relu fused.
  size_t fuse_matmul_bias_relu();
  /// conv_forward (no bias, no activation) -> add of a (O,) bias (channels last) -> relu, with the
  /// bias or the relu or both, becomes one conv_forward with them as oneDNN post-ops
  /// (fuse_conv_bias_relu.cpp).
  size_t fuse_conv_bias_relu();
  /// relu_backward(max pool_backward(dp), y), y the pool's input, becomes pool_backward(relu_backward(dp,
  /// pooled)): the mask on the pooled gradient, a fraction of the size (max_pool_relu_grad.cpp).
  size_t reorder_max_pool_relu_grad();
  /// Trees of CPU unary / binary / cast nodes become one fused_elementwise node (fuse_elementwise.cpp).
  size_t fuse_elementwise();
  /// Every pass, then the memory plan (buffers freed after their last use); logs under KERAS_LOG_GRAPHS=1.
  void optimize(const std::string& name = "function");

  /// One line per node: "%7 = binary[add](%5, %6) : float32(32, 10)"; sub-graphs indented below their node.
  std::string str() const;
  /// Graphviz DOT; control nodes' sub-graphs are clusters.
  std::string dot(const std::string& name = "function") const;
  /// Time spent per node over the replays so far, slowest first (KERAS_PROFILE_GRAPHS=1 turns the
  /// timing on and prints this when the graph is destroyed); empty when timing is off.
  std::string profile() const;

  Graph() = default;
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

 private:
  friend struct Builder;
  void plan();
  /// Per value: the live nodes reading it, plus one if the graph returns it.
  std::vector<int> use_counts() const;
  /// The first live node after node `after` that reads value `v`; nullptr if none.
  Node* first_reader(int v, size_t after);
  void print(std::ostream& os, const std::string& indent, const std::map<uint64_t, std::string>& outer) const;
  void print_dot(std::ostream& os, const std::string& prefix, std::map<uint64_t, std::string>& producers) const;
  int add_value(const Tensor& t, int producer, bool constant = false);
  std::vector<Node> nodes_;
  std::vector<Value> values_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  std::vector<std::vector<int>> release_after_;  // per node: values whose last use it is
  bool planned_ = false;
  std::vector<double> node_seconds_;  // KERAS_PROFILE_GRAPHS: per node, summed over replays
  int64_t replays_ = 0;
  std::string name_ = "function";
};

/// True while a keras::function traces on this thread (TF's tf.inside_function): code that would read
/// a tensor's value on the host (logs, printing) skips it then.
bool tracing();

/// Traces `body` on `args` into a graph (unoptimised), running it once eagerly as it records.
/// With `allow_host_reads`, reading a traced tensor on the host marks the graph unusable instead of
/// throwing; `host_read` then says so.
struct TraceResult {
  std::shared_ptr<Graph> graph;
  Tensors outputs;
  bool host_read = false;
  std::string host_read_what;  // "item() of a tensor from 'reduce'"
};
TraceResult trace(const std::function<Tensors(const Tensors&)>& body, const Tensors& args,
                  bool allow_host_reads = false);

/// Runs `check` on the tensors now and, inside a traced function, again at every replay (as TF's
/// tf.debugging.assert_* ops): validation that reads values on the host stays traceable.
void host_check(const std::string& name, const Tensors& tensors, std::function<void(const Tensors&)> check);

/// Raised when a traced function reads a traced tensor's value on the host (item(), to_vector()).
class HostReadError : public ValueError {
 public:
  using ValueError::ValueError;
};

}  // namespace keras::graph
