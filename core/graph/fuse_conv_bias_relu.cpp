// Graph pass: a convolution followed by the add of a per-channel bias and a relu, written as
// separate ops, becomes one conv_forward call with bias and relu as oneDNN post-ops (as the Conv
// layers call it themselves).
#include <keras/core/graph/capture.h>
#include <keras/core/graph/graph.h>

namespace keras::graph {

size_t Graph::fuse_conv_bias_relu() {
  std::vector<int> uses = use_counts();
  // The one live kernel node reading `v` (which has one use), after node `after`.
  auto sole_consumer = [&](int v, size_t after) -> Node* {
    if (v < 0 || uses[static_cast<size_t>(v)] != 1) return nullptr;
    Node* c = first_reader(v, after);
    return c && c->kind == NodeKind::kernel ? c : nullptr;
  };
  auto index_of = [&](const Node& n) { return static_cast<size_t>(&n - nodes_.data()); };
  size_t fused = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& conv = nodes_[i];
    const auto* captured = detail::kernel_args<kernels::ConvForwardArgs>(conv, "conv_forward");
    if (!captured) continue;
    const kernels::ConvForwardArgs& a = std::get<0>(*captured).get();
    if (a.bias.defined() || a.activation != kernels::ConvActivation::none || a.geometry.channels_first) continue;
    const int y = conv.outputs[0];
    const Tensor& yt = values_[static_cast<size_t>(y)].tensor;
    int out = y, bias = -1;
    Node* last = &conv;  // of the chain so far
    Node* add = sole_consumer(y, i);
    if (add && add->op == "binary" && add->attrs == "add") {
      const int other = add->inputs[0] == y ? add->inputs[1] : add->inputs[0];
      const Tensor& bt = values_[static_cast<size_t>(other)].tensor;
      const Tensor& st = values_[static_cast<size_t>(add->outputs[0])].tensor;
      if (other != y && bt.rank() == 1 && bt.shape()[0] == yt.shape()[-1] && bt.dtype() == yt.dtype() &&
          st.shape() == yt.shape() && st.dtype() == yt.dtype()) {
        bias = other;
        out = add->outputs[0];
        last = add;
      }
    }
    Node* relu = sole_consumer(out, index_of(*last));
    const bool with_relu = relu && relu->op == "unary" && relu->attrs == "relu";
    if (with_relu) out = relu->outputs[0];
    if (bias < 0 && !with_relu) continue;

    const Tensor src = values_[static_cast<size_t>(conv.inputs[0])].tensor;
    const Tensor weights = values_[static_cast<size_t>(conv.inputs[1])].tensor;
    const Tensor bias_tensor = bias >= 0 ? values_[static_cast<size_t>(bias)].tensor : Tensor();
    const kernels::ConvGeometry geometry = a.geometry;
    const kernels::ConvActivation activation = with_relu ? kernels::ConvActivation::relu : kernels::ConvActivation::none;
    const std::string attrs = conv.attrs + (with_relu ? " relu" : "") +
                              (bias >= 0 ? (with_relu ? " (fused bias + relu)" : " (fused bias)") : " (fused relu)");
    const std::vector<int> inputs{conv.inputs[0], conv.inputs[1], bias};
    // The fused call takes the last node's place: the bias may be produced after the convolution
    // (a variable read traced between them), and a replay runs nodes in order.
    std::vector<Node*> chain{&conv};
    if (bias >= 0) chain.push_back(add);
    if (with_relu) chain.push_back(relu);
    Node& target = *chain.back();
    for (Node* n : chain) n->removed = n != &target;
    target.kind = NodeKind::kernel;
    target.op = "conv_forward";
    target.attrs = attrs;
    target.inputs = inputs;
    target.outputs = {out};
    target.cse_key.clear();
    target.args.reset();
    target.kernel = [src, weights, geometry, bias_tensor, activation]() {
      return Tensors{kernels::conv_forward({src, weights, geometry, bias_tensor, activation})};
    };
    values_[static_cast<size_t>(out)].producer = static_cast<int>(index_of(target));
    ++fused;
  }
  planned_ = false;
  return fused;
}

}  // namespace keras::graph
