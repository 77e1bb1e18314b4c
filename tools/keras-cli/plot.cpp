// keras-cli plot: the model's graph in Graphviz's DOT language, drawn as Keras's plot_model draws it
// (keras/src/utils/model_visualization.py, show_shapes=True): one record per layer with its name,
// class and input/output shapes, an edge per connection. Image formats go through Graphviz's `dot`.
#include "cli.h"

#include <keras/core/errors.h>
#include <keras/io/atomic_file.h>
#include <keras/models/sequential.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace keras::cli {

namespace {

constexpr const char* kHelp =
    "usage: keras-cli plot FILE -o OUT [--rankdir TB|LR|BT|RL] [--dpi N]\n\n"
    "Draws the model's graph as Keras's plot_model(show_shapes=True) does: a box per layer with its\n"
    "name, class, input shape and output shape, and an arrow per connection.\n\n"
    "arguments:\n"
    "  FILE                a .keras archive, a legacy .h5/.hdf5 file, or a .json config\n"
    "  -o, --output OUT    OUT.dot (or .gv) for Graphviz source; any other suffix (.svg, .png, .pdf)\n"
    "                      is drawn by Graphviz's `dot` program, which must be on PATH\n"
    "  --rankdir DIR       TB (top to bottom, the default), LR, BT or RL\n"
    "  --dpi N             the image's resolution (default 200, as Keras)\n";

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Python's str() of the shape, or of a list of shapes.
std::string shapes_text(const std::vector<Shape>& shapes, bool as_list) {
  if (!as_list && shapes.size() == 1) return shapes[0].str();
  std::string out = "[";
  for (size_t i = 0; i < shapes.size(); ++i) out += (i ? ", " : "") + shapes[i].str();
  return out + "]";
}

// make_layer_label: Keras shows layer.input and layer.output, which come from the layer's first call.
std::string layer_label(const Layer& layer) {
  const auto nodes = layer.inbound_nodes();
  std::string input = "?", output = "?";
  if (!nodes.empty()) {
    const Node& node = *nodes.front();
    std::vector<Shape> in;
    for (const KerasTensor& x : node.inputs) in.push_back(x.shape());
    if (!in.empty()) input = shapes_text(in, node.list_input);
    if (!node.output_shapes.empty()) output = shapes_text(node.output_shapes, false);
  }
  const bool is_input = layer.class_name() == "InputLayer";
  std::string label = "<<table border=\"0\" cellborder=\"1\" bgcolor=\"black\" cellpadding=\"10\">";
  label += "<tr><td colspan=\"" + std::string(is_input ? "1" : "2") +
           "\" bgcolor=\"black\"><font point-size=\"16\" color=\"white\"><b>" + html_escape(layer.name()) + "</b> (" +
           html_escape(layer.class_name()) + ")</font></td></tr><tr>";
  if (!is_input) {
    label += "<td bgcolor=\"white\"><font point-size=\"14\">Input shape: <b>" + html_escape(input) + "</b></font></td>";
  }
  label += "<td bgcolor=\"white\"><font point-size=\"14\">Output shape: <b>" + html_escape(output) + "</b></font></td>";
  return label + "</tr></table>>";
}

// The Node objects of a Functional model's graph: from its outputs back to its inputs.
std::set<const Node*> graph_nodes(const Model& model) {
  std::set<const Node*> input_nodes, seen;
  for (const KerasTensor& x : model.inputs()) input_nodes.insert(x.producer().get());
  std::function<void(const KerasTensor&)> visit = [&](const KerasTensor& t) {
    const Node* node = t.producer().get();
    if (!node || !seen.insert(node).second || input_nodes.count(node)) return;
    for (const KerasTensor& x : node->inputs) visit(x);
  };
  for (const KerasTensor& y : model.outputs()) visit(y);
  for (const Node* node : input_nodes) seen.insert(node);
  return seen;
}

struct PlotOptions {
  std::string rankdir = "TB";
  int64_t dpi = 200;
};

// model_to_dot: a Sequential is a chain of its layers; a Functional graph joins each layer to the
// layers whose outputs it takes; a subclassed model is a single box.
std::string model_to_dot(const Model& model, const PlotOptions& options) {
  std::ostringstream dot;
  dot << "digraph G {\nrankdir=" << options.rankdir << ";\nconcentrate=True;\ndpi=" << options.dpi
      << ";\nsplines=ortho;\nnode [shape=record];\n";
  std::vector<std::shared_ptr<Layer>> layers;
  const bool sequential = dynamic_cast<const Sequential*>(&model) != nullptr;
  if (sequential || model.is_functional()) {
    layers = model.layers();
  }
  std::map<const void*, size_t> ids;
  auto write_node = [&](const Layer& layer, size_t id) {
    dot << id << " [label=" << layer_label(layer) << ", fontname=Helvetica, border=0, margin=0];\n";
  };
  if (layers.empty()) {
    write_node(model, 0);
    dot << "}\n";
    return dot.str();
  }
  for (const auto& layer : layers) {
    const size_t id = ids.size();
    if (!ids.emplace(layer->id(), id).second) continue;
    write_node(*layer, id);
  }
  std::set<std::pair<size_t, size_t>> edges;
  std::vector<std::pair<size_t, size_t>> ordered;
  auto add_edge = [&](const void* from, const void* to) {
    const auto src = ids.find(from), dst = ids.find(to);
    if (src == ids.end() || dst == ids.end()) return;
    if (edges.emplace(src->second, dst->second).second) ordered.emplace_back(src->second, dst->second);
  };
  if (sequential) {
    for (size_t i = 0; i + 1 < layers.size(); ++i) add_edge(layers[i]->id(), layers[i + 1]->id());
  } else {
    const std::set<const Node*> nodes = graph_nodes(model);
    for (const auto& layer : layers) {
      for (const auto& node : layer->inbound_nodes()) {
        if (!nodes.count(node.get())) continue;  // a call of a shared layer in another model
        for (const KerasTensor& x : node->inputs) add_edge(x.producer()->layer->id(), layer->id());
      }
    }
  }
  for (const auto& [src, dst] : ordered) dot << src << " -> " << dst << " [penwidth=2];\n";
  dot << "}\n";
  return dot.str();
}

// The `dot` program on PATH, or "" when there is none.
std::string find_dot() {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/dot";
    if (::access(candidate.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(candidate)) return candidate;
  }
  return "";
}

// Runs `dot -T<format> -o <out> <source>`; its own messages go to our stderr.
void run_dot(const std::string& program, const std::string& format, const std::string& source, const std::string& out) {
  const std::string type = "-T" + format;
  std::vector<const char*> argv = {program.c_str(), type.c_str(), "-o", out.c_str(), source.c_str(), nullptr};
  const pid_t pid = ::fork();
  if (pid < 0) throw RuntimeError(std::string("plot: cannot start dot: ") + std::strerror(errno));
  if (pid == 0) {
    ::execv(program.c_str(), const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw RuntimeError(std::string("plot: waiting for dot failed: ") + std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw RuntimeError("plot: Graphviz's " + program + " could not write '" + out + "' as " + format + " (exit status " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
}

int run(const std::vector<std::string>& argv) {
  std::vector<std::string> args_in = argv;
  for (std::string& a : args_in) {
    if (a == "-o") a = "--output";
  }
  const Args args = parse_args(args_in, {"--output", "--rankdir", "--dpi"});
  if (args.help) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (args.positional.size() != 1) throw UsageError("expected one FILE, got " + std::to_string(args.positional.size()));
  if (!args.has("--output")) throw UsageError("the following arguments are required: -o/--output");
  PlotOptions options;
  options.rankdir = args.value("--rankdir", "TB");
  if (options.rankdir != "TB" && options.rankdir != "LR" && options.rankdir != "BT" && options.rankdir != "RL") {
    throw UsageError("--rankdir must be TB, LR, BT or RL, got '" + options.rankdir + "'");
  }
  if (args.has("--dpi")) {
    const std::string text = args.value("--dpi");
    try {
      size_t used = 0;
      options.dpi = std::stoll(text, &used);
      if (used != text.size() || options.dpi <= 0) throw std::invalid_argument(text);
    } catch (const std::logic_error&) {
      throw UsageError("--dpi must be a positive integer, got '" + text + "'");
    }
  }
  const std::string output = args.value("--output");
  const std::string extension = std::filesystem::path(output).extension().string();
  if (extension.size() < 2) throw UsageError("-o '" + output + "' needs a suffix (.dot, .svg, .png, ...)");
  const std::string format = extension.substr(1);
  const bool source_only = format == "dot" || format == "gv";
  std::string dot_program;
  if (!source_only) {
    dot_program = find_dot();
    if (dot_program.empty()) {
      throw RuntimeError("plot: writing ." + format + " needs Graphviz's `dot` program, which is not on PATH. "
                         "Install Graphviz (e.g. apt-get install graphviz), or write a .dot file and render it elsewhere.");
    }
  }
  (void)model_format(args.positional[0]);
  const std::string text = model_to_dot(*load_model_file(args.positional[0], false), options);
  io::AtomicFile file(output);
  if (source_only) {
    file.write(text.data(), text.size());
  } else {
    io::AtomicFile source(output + ".dot");  // removed when it goes out of scope, never committed
    source.write(text.data(), text.size());
    run_dot(dot_program, format, source.temp_path(), file.temp_path());
  }
  file.commit();
  return kExitOk;
}

}  // namespace

Command plot_command() { return {"plot", "draw the model graph (Graphviz DOT, or .svg/.png via dot)", kHelp, &run}; }

}  // namespace keras::cli
