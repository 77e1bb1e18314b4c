#include <keras/io/keras_h5_weights.h>

#include <keras/io/atomic_file.h>

#include <map>
#include <mutex>
#include <unordered_set>

namespace keras::io {

namespace {

std::mutex children_mutex;
std::map<std::string, SaveableChildren>& children_registry() {
  static std::map<std::string, SaveableChildren> registry;
  return registry;
}

std::vector<std::pair<std::string, std::shared_ptr<Layer>>> saveable_children(const Layer& layer) {
  SaveableChildren children;
  {
    std::lock_guard<std::mutex> lock(children_mutex);
    auto it = children_registry().find(layer.class_name());
    if (it != children_registry().end()) children = it->second;
  }
  if (children) return children(layer);
  return list_children("layers", layer.layers());
}

std::string describe(const Layer& layer) {
  const bool is_model = layer.class_name() == "Sequential" || layer.class_name() == "Functional";
  return std::string(is_model ? "model" : "layer") + " '" + layer.name() + "' (" + layer.class_name() + ")";
}

void walk(const Layer& layer, const std::string& path, std::unordered_set<const void*>& visited,
          std::vector<Saveable>& out) {
  if (!visited.insert(layer.id()).second) return;
  out.push_back({path, layer.name(), describe(layer), own_variables(layer)});
  for (const auto& [attribute, child] : saveable_children(layer)) {
    walk(*child, path.empty() ? attribute : path + "/" + attribute, visited, out);
  }
}

std::string vars_path(const std::string& path) { return path.empty() ? "vars" : path + "/vars"; }

std::string quoted_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out + "]";
}

}  // namespace

bool register_saveable_children(const std::string& class_name, SaveableChildren children) {
  std::lock_guard<std::mutex> lock(children_mutex);
  children_registry()[class_name] = std::move(children);
  return true;
}

std::vector<std::pair<std::string, std::shared_ptr<Layer>>> list_children(
    const std::string& attribute, const std::vector<std::shared_ptr<Layer>>& layers) {
  std::vector<std::pair<std::string, std::shared_ptr<Layer>>> out;
  std::map<std::string, int64_t> used;
  for (const auto& layer : layers) {
    std::string name = to_snake_case(layer->class_name());
    auto [it, first] = used.emplace(name, 0);
    if (!first) name.append("_").append(std::to_string(++it->second));
    out.emplace_back(attribute + "/" + name, layer);
  }
  return out;
}

std::vector<Variable> own_variables(const Layer& layer) {
  std::unordered_set<const void*> nested;
  for (const auto& sub : layer.layers()) {
    for (const Variable& v : sub->weights()) nested.insert(v.handle());
  }
  // NOTE: weights() orders by the current trainable flags; Keras orders by the flags the variables
  // were created with. The two differ only for a frozen layer that owns both kinds.
  std::vector<Variable> out;
  for (const Variable& v : layer.weights()) {
    if (!nested.count(v.handle())) out.push_back(v);
  }
  return out;
}

std::vector<Saveable> collect_saveables(const Layer& root) {
  std::vector<Saveable> out;
  std::unordered_set<const void*> visited;
  walk(root, "", visited, out);
  return out;
}

void write_saveables(H5Group& root, const std::vector<Saveable>& saveables) {
  for (const Saveable& s : saveables) {
    H5Group vars = root.require_group(vars_path(s.path));
    vars.write_string_attribute("name", s.name);
    for (size_t i = 0; i < s.variables.size(); ++i) vars.create_dataset(std::to_string(i), s.variables[i].value());
  }
}

std::vector<Tensors> read_saveables(const H5Group& root, const std::vector<Saveable>& saveables) {
  const std::string& file = root.filename();
  // tf.keras 2.13 wrote layers under `_layer_checkpoint_dependencies` (Keras reads it the same way).
  const bool tf213 = root.has_group("_layer_checkpoint_dependencies");
  std::vector<Tensors> values;
  for (const Saveable& s : saveables) {
    std::string path = vars_path(s.path);
    if (!root.has_group(path) && tf213 && s.path.rfind("layers", 0) == 0) {
      path = vars_path("_layer_checkpoint_dependencies" + s.path.substr(6));
    }
    std::vector<std::string> expected;
    for (const Variable& v : s.variables) expected.push_back(v.name());
    Tensors out;
    if (!root.has_group(path)) {
      if (!s.variables.empty()) {
        throw ValueError("Cannot load weights from '" + file + "': " + s.description + " expected " +
                         std::to_string(s.variables.size()) + " variables, but the file has no group '" + path +
                         "'. Expected: " + quoted_names(expected));
      }
      values.push_back(out);
      continue;
    }
    const H5Group vars = root.group(path);
    const std::vector<std::string> keys = vars.children();
    bool keys_ok = keys.size() == s.variables.size();
    for (size_t i = 0; keys_ok && i < s.variables.size(); ++i) keys_ok = vars.has_dataset(std::to_string(i));
    if (!keys_ok) {
      throw ValueError("Cannot load weights from '" + file + "': " + s.description + " expected " +
                       std::to_string(s.variables.size()) + " variables, but received " + std::to_string(keys.size()) +
                       " variables during loading (group '" + path + "' holds " + quoted_names(keys) +
                       "). Expected: " + quoted_names(expected) +
                       (s.variables.empty() ? " (is the model built? call it, or build it, before loading weights)" : ""));
    }
    for (size_t i = 0; i < s.variables.size(); ++i) {
      const Variable& v = s.variables[i];
      const H5Dataset data = vars.dataset(std::to_string(i));
      // The shape is checked before reading, so a hostile file cannot make us allocate its claims.
      const Shape shape = data.shape();
      if (shape != v.shape()) {
        throw ValueError("Cannot load weights from '" + file + "': '" + data.path() + "' (variable '" + v.name() +
                         "' of " + s.description + ") has shape " + shape.str() + ", but the variable has shape " +
                         v.shape().str());
      }
      Tensor t = data.read();
      out.push_back(t.dtype() == v.dtype() ? t : t.astype(v.dtype()));
    }
    values.push_back(std::move(out));
  }
  return values;
}

void assign_saveables(const std::vector<Saveable>& saveables, const std::vector<Tensors>& values) {
  if (values.size() != saveables.size()) throw ValueError("assign_saveables: values do not match the saveables");
  for (size_t i = 0; i < saveables.size(); ++i) {
    if (values[i].size() != saveables[i].variables.size()) {
      throw ValueError("assign_saveables: values do not match the variables of " + saveables[i].description);
    }
  }
  for (size_t i = 0; i < saveables.size(); ++i) {
    for (size_t j = 0; j < values[i].size(); ++j) {
      Variable v = saveables[i].variables[j];
      v.assign(values[i][j]);
    }
  }
}

void save_weights_h5(const Layer& model, const std::string& path, const std::vector<Saveable>& extra) {
  std::vector<Saveable> saveables = collect_saveables(model);
  saveables.insert(saveables.end(), extra.begin(), extra.end());
  std::vector<uint8_t> bytes;
  {
    H5File file = H5File::create_in_memory(path);
    write_saveables(file, saveables);
    bytes = file.image();
  }
  AtomicFile out(path);
  out.write(bytes.data(), bytes.size());
  out.commit();
}

void load_weights_h5(const Layer& model, const std::string& path) {
  const std::vector<Saveable> saveables = collect_saveables(model);
  const H5File file = H5File::open(path);
  assign_saveables(saveables, read_saveables(file, saveables));
}

}  // namespace keras::io
