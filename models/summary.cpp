#include <keras/models/model.h>

#include <keras/models/sequential.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace keras {

namespace {

// Keras (keras/src/utils/summary_utils.py) lays the table out with the `rich` library; this file
// reproduces rich's layout for an uncoloured console: fixed-width columns shrunk evenly to fit
// line_length, one space of padding each side, word wrapping, "…" for words wider than their
// column, and the HEAVY_HEAD box with a rule between rows.

// Terminal cells of a UTF-8 string: one per code point (layer names are narrow characters).
size_t cell_len(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `cells` cells of `s`, padded with spaces to exactly that width (rich's set_cell_size).
std::string set_cell_size(const std::string& s, size_t cells) {
  size_t n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == cells) break;
      ++n;
    }
  }
  return s.substr(0, i) + std::string(cells - n, ' ');
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string rstrip(std::string s) {
  while (!s.empty() && is_space(s.back())) s.pop_back();
  return s;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// rich's Text.truncate with overflow="ellipsis" (the default overflow of a table column).
std::string truncate(std::string s, size_t width, bool pad) {
  const size_t length = cell_len(s);
  if (length > width) s = width == 0 ? std::string() : set_cell_size(s, width - 1) + "\u2026";
  if (pad && length < width) s += std::string(width - length, ' ');
  return s;
}

// rich's divide_line(text, width, fold=False): where a line breaks so that its words fit. A word
// is the regex \s*\S+\s*; one wider than the line goes on a line of its own (and is cut later).
std::vector<size_t> divide_line(const std::string& text, size_t width) {
  std::vector<size_t> breaks;
  size_t offset = 0;  // cells used on the current line
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    size_t end = pos;
    while (end < text.size() && is_space(text[end])) ++end;
    if (end == text.size()) break;
    while (end < text.size() && !is_space(text[end])) ++end;
    while (end < text.size() && is_space(text[end])) ++end;
    const std::string word = text.substr(start, end - start);
    const size_t word_length = cell_len(rstrip(word));
    if (offset + word_length <= width) {
      offset += cell_len(word);
    } else if (word_length > width || (offset && start)) {
      if (start) breaks.push_back(start);
      offset = cell_len(word);
    }
    pos = end;
  }
  return breaks;
}

enum class Justify { left, right, center };

// rich's Text.wrap followed by its justification: lines of exactly `width` cells.
std::vector<std::string> wrap(const std::string& text, size_t width, Justify justify) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (true) {
    const size_t newline = text.find('\n', begin);
    const std::string line = text.substr(begin, newline == std::string::npos ? std::string::npos : newline - begin);
    std::vector<std::string> pieces;
    size_t previous = 0;
    for (size_t at : divide_line(line, width)) {
      pieces.push_back(line.substr(previous, at - previous));
      previous = at;
    }
    pieces.push_back(line.substr(previous));
    for (std::string& piece : pieces) {
      // rstrip_end: trailing spaces beyond the width go first.
      const size_t length = cell_len(piece);
      if (length > width) {
        size_t spaces = 0;
        while (spaces < piece.size() && is_space(piece[piece.size() - 1 - spaces])) ++spaces;
        piece.resize(piece.size() - std::min(spaces, length - width));
      }
      if (justify == Justify::left) {
        piece = truncate(piece, width, true);
      } else {
        piece = truncate(rstrip(piece), width, false);
        const size_t excess = width - cell_len(piece);
        const size_t left = justify == Justify::right ? excess : excess / 2;
        piece = std::string(left, ' ') + piece + std::string(excess - left, ' ');
      }
      lines.push_back(truncate(piece, width, false));
    }
    if (newline == std::string::npos) break;
    begin = newline + 1;
  }
  return lines;
}

struct Column {
  Justify justify;
  size_t width;  // cells, padding included
};

// rich's Table._calculate_column_widths for fixed-width columns: each column wants its width plus
// two cells of padding; the excess over line_length (less the borders) is taken evenly from all
// columns, first to last, with Python's round-half-to-even.
std::vector<size_t> column_widths(const std::vector<int64_t>& content_widths, int64_t line_length) {
  std::vector<int64_t> widths;
  for (int64_t w : content_widths) widths.push_back(w + 2);
  const int64_t max_width = line_length - static_cast<int64_t>(widths.size()) - 1;
  int64_t total = 0;
  for (int64_t w : widths) total += w;
  if (total > max_width) {
    int64_t remaining = total - max_width;
    int64_t ratios = 0;
    for (int64_t w : widths) ratios += w != 0;
    for (int64_t& w : widths) {
      if (w == 0 || ratios <= 0) continue;
      const auto share = static_cast<int64_t>(std::nearbyint(static_cast<double>(remaining) / static_cast<double>(ratios)));
      const int64_t distributed = std::min(w, share);
      w -= distributed;
      remaining -= distributed;
      --ratios;
    }
  }
  std::vector<size_t> out;
  for (int64_t w : widths) out.push_back(static_cast<size_t>(std::max<int64_t>(w, 0)));
  return out;
}

void write_rule(std::ostream& os, const std::vector<Column>& columns, const char* left, const char* fill,
                const char* divider, const char* right) {
  os << left;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) os << divider;
    os << repeat(fill, columns[i].width);
  }
  os << right << '\n';
}

void write_row(std::ostream& os, const std::vector<Column>& columns, const std::vector<std::string>& cells,
               const char* bar) {
  std::vector<std::vector<std::string>> rendered;
  size_t height = 1;
  for (size_t i = 0; i < columns.size(); ++i) {
    const size_t content = columns[i].width >= 2 ? columns[i].width - 2 : 0;
    std::vector<std::string> lines = wrap(cells[i], content, columns[i].justify);
    for (std::string& line : lines) line = " " + line + " ";
    height = std::max(height, lines.size());
    rendered.push_back(std::move(lines));
  }
  for (size_t line = 0; line < height; ++line) {
    os << bar;
    for (size_t i = 0; i < columns.size(); ++i) {
      os << (line < rendered[i].size() ? rendered[i][line] : std::string(columns[i].width, ' ')) << bar;
    }
    os << '\n';
  }
}

std::string format_shape(const Shape& shape) {
  // Keras joins the dimensions itself, so a 1-D shape prints "(None)", not "(None,)".
  std::string out = "(";
  for (size_t i = 0; i < shape.dims().size(); ++i) {
    if (i) out += ", ";
    out += shape.dims()[i] == None ? "None" : std::to_string(shape.dims()[i]);
  }
  return out + ")";
}

// Python's f"{n:,}".
std::string with_commas(int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// summary_utils.readable_memory_size: "{:.2f} {unit}", dividing by 1024 while the next unit fits.
std::string readable_memory_size(double bytes) {
  static const char* const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  char buffer[64];
  for (const char* unit : units) {
    if (bytes / 1024 < 1) {
      std::snprintf(buffer, sizeof buffer, "%.2f %s", bytes, unit);
      return buffer;
    }
    bytes /= 1024;
  }
  std::snprintf(buffer, sizeof buffer, "%.2f PB", bytes);
  return buffer;
}

// dtype_utils.dtype_size: bits per element.
double dtype_bits(DType dtype) {
  switch (dtype) {
    case DType::float16:
    case DType::bfloat16: return 16;
    case DType::float32:
    case DType::int32: return 32;
    case DType::float64:
    case DType::int64: return 64;
    case DType::uint8: return 8;
    case DType::bool_: return 1;
  }
  return 32;
}

std::pair<int64_t, std::string> count_and_size(const std::vector<Variable>& weights) {
  int64_t count = 0;
  double bits = 0;
  for (const Variable& v : weights) {
    const int64_t n = v.shape().size();
    count += n;
    bits += static_cast<double>(n) * dtype_bits(v.dtype());
  }
  return {count, readable_memory_size(bits / 8)};
}

// shutil.get_terminal_size().columns: $COLUMNS, else the width of the terminal on stdout, else 80.
int64_t terminal_columns() {
  if (const char* env = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long long value = std::strtoll(env, &end, 10);
    if (end != env && value > 0) return value;
  }
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// A layer's output shape as the summary shows it: from its latest node (every graph it was called
// in counts, as in Keras), else from the shapes it was built with, else "?".
std::string format_layer_shape(Layer& layer) {
  const auto nodes = layer.inbound_nodes();
  std::vector<Shape> shapes;
  if (!nodes.empty()) {
    shapes = nodes.back()->output_shapes;
  } else if (layer.build_input_shapes()) {
    const auto& built = *layer.build_input_shapes();
    try {
      shapes = built.size() == 1 ? std::vector<Shape>{layer.compute_output_shape(built[0])} : layer.compute_output_shape(built);
    } catch (const NotImplementedError&) {
      return "?";
    }
  } else {
    return "?";
  }
  if (shapes.size() == 1) return format_shape(shapes[0]);
  std::string out = "[";
  for (size_t i = 0; i < shapes.size(); ++i) out += (i ? ", " : "") + format_shape(shapes[i]);
  return out + "]";
}

// keras_history.node_index: the node's position among its layer's nodes.
size_t node_index_of(const Node* node) {
  const auto nodes = node->layer->inbound_nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].get() == node) return i;
  }
  return 0;
}

// "Connected to": every input of every node of the layer that belongs to this model.
std::string connections(const Layer& layer, const std::set<const Node*>& relevant) {
  std::string out;
  for (const auto& node : layer.inbound_nodes()) {
    if (!relevant.empty() && !relevant.count(node.get())) continue;
    for (const KerasTensor& x : node->inputs) {
      if (!out.empty()) out += ", ";
      out += x.producer()->layer->name() + "[" + std::to_string(node_index_of(x.producer().get())) + "][" +
             std::to_string(x.index()) + "]";
    }
  }
  return out.empty() ? "-" : out;
}

struct GraphView {
  std::set<const Node*> nodes;  // the model's nodes (Keras's _nodes_by_depth)
  bool sequential_like = true;
};

// Keras's map_graph depths, and its rule for a sequential-looking graph: one node per depth, no
// node with several inputs, and no layer called twice.
GraphView view_graph(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs) {
  std::set<const Node*> input_nodes;
  for (const KerasTensor& x : inputs) input_nodes.insert(x.producer().get());
  std::vector<const Node*> post_order;
  std::set<const Node*> finished;
  std::function<void(const KerasTensor&)> visit = [&](const KerasTensor& t) {
    const Node* node = t.producer().get();
    if (!node || finished.count(node)) return;
    if (!input_nodes.count(node)) {
      for (const KerasTensor& x : node->inputs) visit(x);
    }
    finished.insert(node);
    post_order.push_back(node);
  };
  for (const KerasTensor& y : outputs) visit(y);
  std::map<const Node*, int64_t> node_depth;
  std::map<const void*, int64_t> layer_depth;
  for (auto it = post_order.rbegin(); it != post_order.rend(); ++it) {
    const Node* node = *it;
    int64_t depth = node_depth.emplace(node, 0).first->second;
    auto [pos, inserted] = layer_depth.emplace(node->layer->id(), depth);
    depth = std::max(depth, pos->second);
    pos->second = depth;
    node_depth[node] = depth;
    for (const KerasTensor& x : node->inputs) {
      int64_t& d = node_depth[x.producer().get()];
      d = std::max(d, depth + 1);
    }
  }
  for (const Node* node : input_nodes) node_depth.emplace(node, 0);
  GraphView view;
  std::map<int64_t, int64_t> per_depth;
  std::map<const void*, int64_t> per_layer;
  for (const auto& [node, depth] : node_depth) {
    view.nodes.insert(node);
    if (++per_depth[depth] > 1 || node->inputs.size() > 1 || ++per_layer[node->layer->id()] > 1) {
      view.sequential_like = false;
    }
  }
  return view;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", '" : "'") + items[i] + "'";
  return out + "]";
}

// get_layer_index_bound_by_layer_name: [first, last] by regexes matched at the start of names.
std::pair<size_t, size_t> layer_bounds(const std::vector<std::shared_ptr<Layer>>& layers,
                                       const std::vector<std::string>& range) {
  if (range.empty()) return {0, layers.size()};
  if (range.size() != 2) {
    throw ValueError("layer_range must be a list or tuple of length 2. Received: layer_range = " + quoted_list(range) +
                     " of length " + std::to_string(range.size()));
  }
  std::vector<size_t> lower, upper;
  try {
    const std::regex first(range[0]), last(range[1]);
    for (size_t i = 0; i < layers.size(); ++i) {
      const std::string& name = layers[i]->name();
      if (std::regex_search(name, first, std::regex_constants::match_continuous)) lower.push_back(i);
      if (std::regex_search(name, last, std::regex_constants::match_continuous)) upper.push_back(i);
    }
  } catch (const std::regex_error& e) {
    throw ValueError("layer_range: invalid regular expression in " + quoted_list(range) + ": " + e.what());
  }
  if (lower.empty() || upper.empty()) {
    throw ValueError("Passed layer_names do not match the layer names in the model. Received: " + quoted_list(range));
  }
  const size_t min_lower = *std::min_element(lower.begin(), lower.end());
  const size_t max_upper = *std::max_element(upper.begin(), upper.end());
  if (min_lower > max_upper) {
    return {*std::min_element(upper.begin(), upper.end()), *std::max_element(lower.begin(), lower.end()) + 1};
  }
  return {min_lower, max_upper + 1};
}

}  // namespace

void Model::summary(std::ostream& os, const SummaryOptions& options) const {
  // Sequential and subclassed models list model.layers as a plain sequence; a Functional graph
  // gets the "Connected to" column unless it is a simple chain.
  const bool functional = is_functional() && dynamic_cast<const Sequential*>(this) == nullptr;
  GraphView graph_view;
  if (functional) graph_view = view_graph(inputs(), outputs());
  const bool sequential_like = graph_view.sequential_like;

  std::vector<double> positions = options.positions;
  int64_t default_line_length = 0;
  std::vector<std::string> header;
  std::vector<Justify> justify;
  if (sequential_like) {
    default_line_length = 88;
    if (positions.empty()) positions = {0.45, 0.80, 1.0};
    header = {"Layer (type)", "Output Shape", "Param #"};
    justify = {Justify::left, Justify::left, Justify::right};
  } else {
    default_line_length = 108;
    if (positions.empty()) positions = {0.3, 0.56, 0.74, 1.0};
    header = {"Layer (type)", "Output Shape", "Param #", "Connected to"};
    justify = {Justify::left, Justify::left, Justify::right, Justify::left};
  }
  if (options.show_trainable) {
    default_line_length += 12;
    for (double& p : positions) p *= 0.90;
    positions.push_back(1.0);
    header.push_back("Trainable");
    justify.push_back(Justify::center);
  }
  if (positions.size() != header.size()) {
    throw ValueError("summary: positions needs one entry per column (" + std::to_string(header.size()) +
                     "), got " + std::to_string(positions.size()));
  }
  default_line_length = std::min(default_line_length, terminal_columns() - 4);
  const int64_t line_length = options.line_length.value_or(0) ? *options.line_length : default_line_length;
  std::vector<int64_t> content_widths;
  int64_t current = 0;
  for (double p : positions) {
    const int64_t width = static_cast<int64_t>(p * static_cast<double>(line_length)) - current;
    if (width < 4) throw ValueError("Insufficient console width to print summary.");
    content_widths.push_back(width);
    current += width;
  }
  std::vector<Column> columns;
  const std::vector<size_t> widths = column_widths(content_widths, line_length);
  for (size_t i = 0; i < widths.size(); ++i) columns.push_back({justify[i], widths[i]});

  std::vector<std::vector<std::string>> rows;
  std::function<void(const std::shared_ptr<Layer>&, size_t)> add_rows = [&](const std::shared_ptr<Layer>& layer,
                                                                             size_t level) {
    const std::string prefix = level ? repeat("   ", level) + "\u2514 " : "";
    std::vector<std::string> fields{prefix + layer->name() + " (" + layer->class_name() + ")", format_layer_shape(*layer),
                                    layer->built() ? with_commas(layer->count_params()) : "0 (unbuilt)"};
    if (!sequential_like) fields.push_back(connections(*layer, graph_view.nodes));
    if (options.show_trainable) fields.push_back(layer->weights().empty() ? "-" : layer->trainable() ? "Y" : "N");
    rows.push_back(std::move(fields));
    if (options.expand_nested) {
      if (const auto* model = dynamic_cast<const Model*>(layer.get())) {
        for (const auto& sub : model->layers()) add_rows(sub, level + 1);
      }
    }
  };
  const auto all_layers = layers();
  const auto [first, last] = layer_bounds(all_layers, options.layer_range);
  for (size_t i = first; i < last; ++i) add_rows(all_layers[i], 0);

  const auto [trainable_count, trainable_size] = count_and_size(trainable_weights());
  const auto [frozen_count, frozen_size] = count_and_size(non_trainable_weights());
  std::vector<Variable> all = trainable_weights();
  for (const Variable& v : non_trainable_weights()) all.push_back(v);
  const auto [total_count, total_size] = count_and_size(all);

  os << "Model: \"" << name() << "\"\n";
  write_rule(os, columns, "\u250f", "\u2501", "\u2533", "\u2513");  // ┏━┳┓
  write_row(os, columns, header, "\u2503");                         // ┃
  write_rule(os, columns, "\u2521", "\u2501", "\u2547", "\u2529");  // ┡━╇┩
  for (size_t r = 0; r < rows.size(); ++r) {
    if (r) write_rule(os, columns, "\u251c", "\u2500", "\u253c", "\u2524");  // ├─┼┤
    write_row(os, columns, rows[r], "\u2502");                               // │
  }
  write_rule(os, columns, "\u2514", "\u2500", "\u2534", "\u2518");  // └─┴┘
  os << " Total params: " << with_commas(total_count) << " (" << total_size << ")\n";
  os << " Trainable params: " << with_commas(trainable_count) << " (" << trainable_size << ")\n";
  os << " Non-trainable params: " << with_commas(frozen_count) << " (" << frozen_size << ")\n";
}

void Model::summary(const SummaryOptions& options) const { summary(std::cout, options); }

std::string Model::summary_string(const SummaryOptions& options) const {
  std::ostringstream os;
  summary(os, options);
  return os.str();
}

}  // namespace keras
