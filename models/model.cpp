#include <keras/models/model.h>
#include <keras/models/training_state.h>

#include <keras/core/ops.h>
#include <keras/layers/core/input_layer.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace keras {

struct Model::Graph {
  std::vector<KerasTensor> inputs;
  std::vector<KerasTensor> outputs;
  std::vector<std::shared_ptr<Node>> nodes;    // every node, inputs first, in an order that runs
  std::vector<std::shared_ptr<Layer>> layers;  // unique layers in Keras's order (by depth, then discovery)
  std::map<const Node*, size_t> node_index;    // a node's index among its layer's nodes in this graph
};

namespace {
using TensorKey = std::pair<const Node*, size_t>;
TensorKey key_of(const KerasTensor& t) { return {t.producer().get(), t.index()}; }
}  // namespace

// Keras's map_graph: nodes and layers ordered by decreasing depth from the outputs, with ties
// broken by the order a depth-first walk from the outputs first met each layer.
struct GraphBuilder {
  static std::shared_ptr<Model::Graph> build(const std::vector<KerasTensor>& inputs,
                                             const std::vector<KerasTensor>& outputs) {
    auto g = std::make_shared<Model::Graph>();
    g->inputs = inputs;
    g->outputs = outputs;
    std::set<const Node*> input_nodes;
    for (const KerasTensor& x : inputs) {
      if (!x.defined() || !x.producer()) throw ValueError("Model: an input is not a symbolic tensor from keras::Input()");
      if (x.producer()->layer->class_name() != "InputLayer" || !x.producer()->inputs.empty()) {
        throw ValueError("Model: inputs must be tensors returned by keras::Input(), but received " + x.str());
      }
      input_nodes.insert(x.producer().get());
    }
    std::vector<std::shared_ptr<Node>> post_order;
    std::set<const Node*> finished, in_progress;
    std::vector<const Layer*> discovery;
    std::map<const void*, std::shared_ptr<Layer>> layer_of;  // by shared state identity
    std::map<const void*, size_t> layer_index;
    std::function<void(const KerasTensor&)> visit = [&](const KerasTensor& t) {
      if (!t.defined() || !t.producer()) throw ValueError("Model: an output is not a symbolic tensor: " + t.str());
      const auto& node = t.producer();
      if (finished.count(node.get())) return;
      if (in_progress.count(node.get())) throw ValueError("Model: the graph has a cycle at layer " + node->layer->name());
      const void* lid = node->layer->id();
      if (!layer_index.count(lid)) {
        layer_index[lid] = layer_index.size();
        layer_of[lid] = node->layer;
      }
      in_progress.insert(node.get());
      if (!input_nodes.count(node.get())) {
        if (node->inputs.empty()) {
          throw ValueError("Graph disconnected: cannot find the value of tensor " + t.str() + " of layer \"" +
                           node->layer->name() + "\": its Input is not among the model's inputs");
        }
        for (const KerasTensor& x : node->inputs) visit(x);
      }
      finished.insert(node.get());
      in_progress.erase(node.get());
      post_order.push_back(node);
    };
    for (const KerasTensor& y : outputs) visit(y);
    for (const Node* n : input_nodes) {
      if (!finished.count(n)) {
        // Keras allows unused inputs only with a warning; they still belong to the model.
        for (const KerasTensor& x : inputs) {
          if (x.producer().get() == n) {
            post_order.insert(post_order.begin(), x.producer());
            finished.insert(n);
            const void* lid = x.producer()->layer->id();
            if (!layer_index.count(lid)) {
              layer_index[lid] = layer_index.size();
              layer_of[lid] = x.producer()->layer;
            }
          }
        }
      }
    }
    // Depths: outputs' nodes 0, each parent one deeper than its deepest child; as in Keras, a node
    // of a shared layer is first raised to the depth that layer already has, and its parents follow.
    std::map<const Node*, int64_t> depth;
    std::map<const void*, int64_t> layer_depth;
    for (auto it = post_order.rbegin(); it != post_order.rend(); ++it) {
      int64_t& node_depth = depth.emplace(it->get(), 0).first->second;
      int64_t& shared_depth = layer_depth.emplace((*it)->layer->id(), node_depth).first->second;
      node_depth = shared_depth = std::max(node_depth, shared_depth);
      const int64_t d = node_depth;
      for (const KerasTensor& x : (*it)->inputs) {
        auto [pos, inserted] = depth.emplace(x.producer().get(), d + 1);
        if (!inserted) pos->second = std::max(pos->second, d + 1);
      }
    }
    // Nodes by decreasing depth run parents before children.
    g->nodes = post_order;
    std::stable_sort(g->nodes.begin(), g->nodes.end(),
                     [&](const auto& a, const auto& b) { return depth[a.get()] > depth[b.get()]; });
    std::vector<const void*> ids;
    for (const auto& [lid, idx] : layer_index) ids.push_back(lid);
    std::sort(ids.begin(), ids.end(), [&](const void* a, const void* b) {
      if (layer_depth[a] != layer_depth[b]) return layer_depth[a] > layer_depth[b];
      return layer_index[a] < layer_index[b];
    });
    for (const void* lid : ids) g->layers.push_back(layer_of[lid]);
    // Re-index each layer's nodes within this graph, in creation order of the layer's nodes.
    std::map<const void*, std::vector<const Node*>> per_layer;
    for (const auto& n : post_order) per_layer[n->layer->id()].push_back(n.get());
    for (auto& [lid, nodes] : per_layer) {
      const auto all = layer_of[lid]->inbound_nodes();
      std::vector<const Node*> ordered;
      for (const auto& n : all) {
        if (std::find(nodes.begin(), nodes.end(), n.get()) != nodes.end()) ordered.push_back(n.get());
      }
      for (const Node* n : nodes) {
        if (std::find(ordered.begin(), ordered.end(), n) == ordered.end()) ordered.push_back(n);
      }
      for (size_t i = 0; i < ordered.size(); ++i) g->node_index[ordered[i]] = i;
    }
    return g;
  }
};

Model::Model(const KerasTensor& inputs, const KerasTensor& outputs, ModelOptions options)
    : Model(std::vector<KerasTensor>{inputs}, std::vector<KerasTensor>{outputs}, std::move(options)) {}

Model::Model(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs, ModelOptions options)
    : Layer("Functional", {.name = options.name.empty() ? "" : options.name, .trainable = options.trainable,
                           .dtype = options.dtype}),
      training_(std::make_shared<Training>()) {
  if (inputs.empty() || outputs.empty()) throw ValueError("Model: needs at least one input and one output");
  set_graph(inputs, outputs);
}

Model::Model(const Named<KerasTensor>& inputs, const Named<KerasTensor>& outputs, ModelOptions options)
    : Layer("Functional", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      training_(std::make_shared<Training>()) {
  std::vector<KerasTensor> in, out;
  for (const auto& [name, t] : inputs.items) {
    input_names_->push_back(name);
    in.push_back(t);
  }
  for (const auto& [name, t] : outputs.items) {
    output_names_->push_back(name);
    out.push_back(t);
  }
  if (in.empty() || out.empty()) throw ValueError("Model: needs at least one input and one output");
  set_graph(in, out);
}

Model::Model(std::string class_name, ModelOptions options)
    : Layer(std::move(class_name), {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      training_(std::make_shared<Training>()) {}

void Model::set_graph(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs) {
  graph_ = GraphBuilder::build(inputs, outputs);
  clear_tracked();
  for (const auto& layer : graph_->layers) track_shared(layer);
  std::vector<Shape> shapes;
  for (const KerasTensor& x : inputs) shapes.push_back(x.shape());
  build_from_config(shapes);
}

bool Model::is_functional() const { return graph_ != nullptr; }

void Model::build_from_config(const std::vector<Shape>& input_shapes) {
  const bool was_built = built();
  Layer::build_from_config(input_shapes);
  if (was_built || graph_) return;
  Tensors zeros;
  for (const Shape& shape : input_shapes) {
    std::vector<int64_t> dims = shape.dims();
    for (int64_t& d : dims) d = d == None ? 1 : d;
    zeros.push_back(ops::zeros(Shape(dims), compute_dtype()));
  }
  call(zeros, false);
}

const Model::Graph& Model::graph(const char* what) const {
  if (!graph_) {
    throw ValueError(std::string("Model \"") + name() + "\": " + what +
                     " needs a Functional or Sequential model (or a subclassed model that has been built)");
  }
  return *graph_;
}

const std::vector<KerasTensor>& Model::inputs() const { return graph("inputs").inputs; }
const std::vector<KerasTensor>& Model::outputs() const { return graph("outputs").outputs; }
const std::vector<std::string>& Model::input_names() const { return *input_names_; }
const std::vector<std::string>& Model::output_names() const { return *output_names_; }

std::vector<std::shared_ptr<Layer>> Model::layers() const {
  if (graph_) return graph_->layers;
  return Layer::layers();
}

std::shared_ptr<Layer> Model::get_layer(const std::string& name) const {
  std::string names;
  for (const auto& l : layers()) {
    if (l->name() == name) return l;
    names += (names.empty() ? "" : ", ") + l->name();
  }
  throw ValueError("No such layer: " + name + ". Existing layers are: [" + names + "]");
}

Tensors Model::call(const Tensors& inputs, bool training) {
  if (!graph_) return Layer::call(inputs, training);
  const Graph& g = *graph_;
  if (inputs.size() != g.inputs.size()) {
    throw ValueError("Model \"" + name() + "\" expects " + std::to_string(g.inputs.size()) +
                     " input(s), but it received " + std::to_string(inputs.size()) + " input tensor(s)");
  }
  std::map<TensorKey, Tensor> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& expected = g.inputs[i].shape();
    const Shape& got = inputs[i].shape();
    bool ok = expected.rank() == got.rank();
    for (int64_t d = 0; ok && d < got.rank(); ++d) ok = expected.dims()[d] == None || expected.dims()[d] == got.dims()[d];
    if (!ok) {
      throw ValueError("Input " + std::to_string(i) + " of layer \"" + name() +
                       "\" is incompatible with the layer: expected shape=" + expected.str() + ", found shape=" + got.str());
    }
    values[key_of(g.inputs[i])] = inputs[i];
  }
  for (const auto& node : g.nodes) {
    if (node->inputs.empty()) continue;  // an input node: its value is given
    Tensors args;
    for (const KerasTensor& x : node->inputs) args.push_back(values.at(key_of(x)));
    Tensors outs = node->list_input ? (*node->layer)(args, training) : Tensors{(*node->layer)(args[0], training)};
    for (size_t i = 0; i < outs.size(); ++i) values[{node.get(), i}] = outs[i];
  }
  Tensors result;
  for (const KerasTensor& y : g.outputs) result.push_back(values.at(key_of(y)));
  return result;
}

Tensor Model::call(const Tensor& inputs, bool training) {
  Tensors out = call(Tensors{inputs}, training);
  if (out.size() != 1) {
    throw ValueError("Model \"" + name() + "\" has " + std::to_string(out.size()) +
                     " outputs; call it with a list of inputs to receive them all");
  }
  return out[0];
}

Named<Tensor> Model::operator()(const Named<Tensor>& inputs, std::optional<bool> training) {
  const Graph& g = graph("calling with named inputs");
  if (input_names_->empty()) throw ValueError("Model \"" + name() + "\" was not built with named inputs");
  Tensors args;
  for (const std::string& n : *input_names_) {
    auto it = inputs.items.find(n);
    if (it == inputs.items.end()) throw ValueError("Model \"" + name() + "\": missing input '" + n + "'");
    args.push_back(it->second);
  }
  Tensors outs = (*this)(args, training);
  std::map<std::string, Tensor> result;
  for (size_t i = 0; i < outs.size(); ++i) {
    // Unnamed outputs are keyed by the name of the layer that made them.
    result[output_names_->empty() ? g.outputs[i].producer()->layer->name() : (*output_names_)[i]] = outs[i];
  }
  return Named<Tensor>(std::move(result));
}

Shape Model::compute_output_shape(const Shape& input_shape) {
  // A subclassed model has no graph: Layer's default runs call() (a vector-shaped detour would
  // come back here through Layer::compute_output_shape and never end).
  if (!graph_) return Layer::compute_output_shape(input_shape);
  auto out = compute_output_shape(std::vector<Shape>{input_shape});
  if (out.size() != 1) throw ValueError("Model \"" + name() + "\" has several outputs");
  return out[0];
}

std::vector<Shape> Model::compute_output_shape(const std::vector<Shape>& input_shapes) {
  if (!graph_) return Layer::compute_output_shape(input_shapes);
  const Graph& g = *graph_;
  std::map<TensorKey, Shape> shapes;
  for (size_t i = 0; i < g.inputs.size() && i < input_shapes.size(); ++i) shapes[key_of(g.inputs[i])] = input_shapes[i];
  for (const auto& node : g.nodes) {
    if (node->inputs.empty()) continue;
    std::vector<Shape> in;
    for (const KerasTensor& x : node->inputs) in.push_back(shapes.at(key_of(x)));
    std::vector<Shape> out = node->list_input ? node->layer->compute_output_shape(in)
                                              : std::vector<Shape>{node->layer->compute_output_shape(in[0])};
    for (size_t i = 0; i < out.size(); ++i) shapes[{node.get(), i}] = out[i];
  }
  std::vector<Shape> result;
  for (const KerasTensor& y : g.outputs) result.push_back(shapes.at(key_of(y)));
  return result;
}

Config Model::get_config() const {
  if (!graph_) return Layer::get_config();
  const Graph& g = *graph_;
  Config c;
  c["name"] = name();
  c["trainable"] = trainable();
  Config layers_cfg = Config::array();
  auto history = [&](const KerasTensor& t) {
    return Config::array({t.producer()->layer->name(), g.node_index.at(t.producer().get()), t.index()});
  };
  for (const auto& layer : g.layers) {
    Config entry = serialize_layer(*layer);
    entry["name"] = layer->name();
    Config nodes = Config::array();
    for (const auto& node : g.nodes) {
      if (node->layer->id() != layer->id() || node->inputs.empty()) continue;
      Config args = Config::array();
      Config tensors = Config::array();
      for (const KerasTensor& x : node->inputs) {
        tensors.push_back(Config{{"class_name", "__keras_tensor__"},
                                 {"config", Config{{"shape", shape_to_config(x.shape())},
                                                   {"dtype", std::string(dtype_name(x.dtype()))},
                                                   {"keras_history", history(x)}}}});
      }
      if (node->list_input) {
        args.push_back(tensors);
      } else {
        args = tensors;
      }
      nodes.push_back(Config{{"args", args}, {"kwargs", Config::object()}});
    }
    entry["inbound_nodes"] = nodes;
    layers_cfg.push_back(entry);
  }
  c["layers"] = layers_cfg;
  auto endpoints = [&](const std::vector<KerasTensor>& ts, const std::vector<std::string>& names) {
    if (!names.empty()) {
      Config d = Config::object();
      for (size_t i = 0; i < ts.size(); ++i) d[names[i]] = history(ts[i]);
      return d;
    }
    if (ts.size() == 1) return history(ts[0]);
    Config list = Config::array();
    for (const KerasTensor& t : ts) list.push_back(history(t));
    return list;
  };
  c["input_layers"] = endpoints(g.inputs, *input_names_);
  c["output_layers"] = endpoints(g.outputs, *output_names_);
  return c;
}

namespace {

// A [layer, node, tensor] reference of either node format.
struct HistoryRef {
  std::string layer;
  size_t node;
  size_t tensor;
};

HistoryRef parse_history(const Config& h, const std::string& who) {
  if (!h.is_array() || h.size() < 3 || !h[0].is_string() || !h[1].is_number_integer() || !h[2].is_number_integer() ||
      h[1].get<int64_t>() < 0 || h[2].get<int64_t>() < 0) {
    throw ValueError("Functional config: " + who + ": expected [layer_name, node_index, tensor_index], got " + h.dump());
  }
  return {h[0].get<std::string>(), h[1].get<size_t>(), h[2].get<size_t>()};
}

// One inbound node as a list of references plus whether it was a list call.
std::pair<std::vector<HistoryRef>, bool> parse_node(const Config& node, const std::string& layer) {
  std::vector<HistoryRef> refs;
  if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
    const Config& args = node.contains("args") ? node["args"] : Config::array();
    if (!args.is_array() || args.empty()) throw ValueError("Functional config: layer " + layer + ": a node has no args");
    auto tensor_ref = [&](const Config& t) {
      if (!t.is_object() || t.value("class_name", "") != "__keras_tensor__" || !t.contains("config")) {
        throw ValueError("Functional config: layer " + layer + ": node arguments other than tensors are not "
                         "supported, got " + t.dump().substr(0, 200));
      }
      return parse_history(t["config"].value("keras_history", Config()), "layer " + layer);
    };
    if (args[0].is_array()) {
      for (const Config& t : args[0]) refs.push_back(tensor_ref(t));
      return {refs, true};
    }
    for (const Config& t : args) refs.push_back(tensor_ref(t));
    return {refs, refs.size() > 1};
  }
  if (node.is_array()) {  // Keras 2: [[name, node, tensor, kwargs], ...]
    for (const Config& e : node) refs.push_back(parse_history(e, "layer " + layer));
    return {refs, refs.size() > 1};
  }
  throw ValueError("Functional config: layer " + layer + ": malformed inbound node " + node.dump().substr(0, 200));
}

}  // namespace

std::shared_ptr<Layer> Model::from_config(const Config& config) {
  if (!config.contains("layers") || !config["layers"].is_array()) {
    throw ValueError("Functional config needs a 'layers' list");
  }
  std::vector<std::pair<std::shared_ptr<Layer>, Config>> created;  // layer, its inbound_nodes
  std::map<std::string, size_t> by_name;
  for (const Config& entry : config["layers"]) {
    std::shared_ptr<Layer> layer = deserialize_layer(entry);
    const std::string name = entry.contains("name") && entry["name"].is_string() ? entry["name"].get<std::string>()
                                                                                   : layer->name();
    if (by_name.count(name)) throw ValueError("Functional config: layer name '" + name + "' appears twice");
    by_name[name] = created.size();
    created.emplace_back(layer, entry.value("inbound_nodes", Config::array()));
  }
  // outputs[name][node] = the KerasTensors that node produced
  std::map<std::string, std::vector<std::vector<KerasTensor>>> made;
  for (auto& [layer, nodes] : created) {
    if (layer->class_name() == "InputLayer") {
      made[layer->name()].push_back({static_cast<layers::InputLayer&>(*layer).output()});
    }
  }
  // Keras processes nodes in rounds until every one has its inputs (layers may be listed before
  // the layers they depend on).
  std::map<std::string, size_t> next_node;
  bool progress = true;
  size_t remaining = 0;
  while (progress) {
    progress = false;
    remaining = 0;
    for (auto& [layer, nodes] : created) {
      if (!nodes.is_array()) throw ValueError("Functional config: inbound_nodes of " + layer->name() + " must be a list");
      size_t& next = next_node[layer->name()];
      while (next < nodes.size()) {
        auto [refs, list] = parse_node(nodes[next], layer->name());
        std::vector<KerasTensor> args;
        bool ready = true;
        for (const HistoryRef& r : refs) {
          if (!by_name.count(r.layer)) {
            throw ValueError("Functional config: layer " + layer->name() + " refers to unknown layer '" + r.layer + "'");
          }
          auto it = made.find(r.layer);
          if (it == made.end() || r.node >= it->second.size()) {
            ready = false;
            break;
          }
          if (r.tensor >= it->second[r.node].size()) {
            throw ValueError("Functional config: layer " + r.layer + " has no output " + std::to_string(r.tensor));
          }
          args.push_back(it->second[r.node][r.tensor]);
        }
        if (!ready) break;
        made[layer->name()].push_back(layer->call_symbolic(args, list));
        ++next;
        progress = true;
      }
      remaining += nodes.size() - next;
    }
  }
  if (remaining) throw ValueError("Functional config: " + std::to_string(remaining) + " node(s) refer to inputs that are never produced");
  auto endpoint = [&](const Config& h) {
    const HistoryRef r = parse_history(h, "input/output layers");
    auto it = made.find(r.layer);
    if (it == made.end() || r.node >= it->second.size() || r.tensor >= it->second[r.node].size()) {
      throw ValueError("Functional config: no tensor " + h.dump());
    }
    return it->second[r.node][r.tensor];
  };
  auto endpoints = [&](const Config& v, std::vector<std::string>& names) {
    std::vector<KerasTensor> out;
    if (v.is_object()) {
      for (const auto& [name, h] : v.items()) {
        names.push_back(name);
        out.push_back(endpoint(h));
      }
    } else if (v.is_array() && !v.empty() && v[0].is_array()) {
      for (const Config& h : v) out.push_back(endpoint(h));
    } else {
      out.push_back(endpoint(v));
    }
    return out;
  };
  std::vector<std::string> in_names, out_names;
  const auto ins = endpoints(config.value("input_layers", Config()), in_names);
  const auto outs = endpoints(config.value("output_layers", Config()), out_names);
  ModelOptions options{.name = config.value("name", std::string()), .trainable = config.value("trainable", true),
                       .dtype = base_options(config).dtype};
  std::shared_ptr<Model> model;
  if (!in_names.empty() && !out_names.empty()) {
    std::map<std::string, KerasTensor> im, om;
    for (size_t i = 0; i < ins.size(); ++i) im[in_names[i]] = ins[i];
    for (size_t i = 0; i < outs.size(); ++i) om[out_names[i]] = outs[i];
    model = std::make_shared<Model>(Named<KerasTensor>(im), Named<KerasTensor>(om), options);
  } else {
    model = std::make_shared<Model>(ins, outs, options);
  }
  return model;
}

[[maybe_unused]] static const bool registered_functional = register_layer("Functional", &Model::from_config);

}  // namespace keras
