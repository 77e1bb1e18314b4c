#include <keras/io/legacy_h5.h>

#include <keras/io/atomic_file.h>
#include <keras/io/keras_archive.h>
#include <keras/io/keras_h5_weights.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace keras::io {

namespace {

// Keras's HDF5_OBJECT_HEADER_LIMIT: attributes above it are split into name0, name1, ...
constexpr size_t kHeaderLimit = 64512;
// A variable-length string costs a 16-byte heap reference in the attribute, however short it is.
constexpr size_t kVlenReference = 16;

const H5StringType kBytes{.variable_length = true, .utf8 = false};  // Python bytes, as h5py stores them
const H5StringType kStr{.variable_length = true, .utf8 = true};     // Python str

bool is_model_class(const std::string& cls) { return cls == "Sequential" || cls == "Functional"; }

Config legacy_body(const Config& config);

Config legacy_layer(const Config& object) {
  Config out;
  const bool registered = object.contains("registered_name") && object["registered_name"].is_string();
  out["class_name"] = registered ? object["registered_name"] : object.value("class_name", Config());
  out["config"] = legacy_body(object.value("config", Config::object()));
  if (object.contains("name")) out["name"] = object["name"];
  if (object.contains("inbound_nodes")) out["inbound_nodes"] = object["inbound_nodes"];
  return out;
}

Config legacy_body(const Config& config) {
  Config out = config;
  if (out.is_object() && out.contains("layers") && out["layers"].is_array()) {
    for (Config& entry : out["layers"]) {
      if (entry.is_object() && entry.contains("class_name")) entry = legacy_layer(entry);
    }
  }
  return out;
}

// save_attributes_to_hdf5_group: one attribute, or chunks name0, name1, ... when it would not fit
// in an object header.
void write_name_list(H5Object& object, const std::string& name, const std::vector<std::string>& values) {
  size_t width = kVlenReference;
  for (const std::string& v : values) {
    if (v.size() > kHeaderLimit) {
      throw ValueError("The following attributes cannot be saved to HDF5 file because they are larger than " +
                       std::to_string(kHeaderLimit) + " bytes: " + v.substr(0, 200));
    }
    width = std::max(width, v.size());
  }
  size_t chunks = 1;
  while ((values.size() + chunks - 1) / chunks * width > kHeaderLimit) ++chunks;
  if (chunks == 1) {
    object.write_string_list_attribute(name, values, kBytes);
    return;
  }
  // numpy.array_split: the first size % chunks pieces hold one more.
  size_t start = 0;
  for (size_t c = 0; c < chunks; ++c) {
    const size_t len = values.size() / chunks + (c < values.size() % chunks ? 1 : 0);
    object.write_string_list_attribute(name + std::to_string(c),
                                       std::vector<std::string>(values.begin() + static_cast<std::ptrdiff_t>(start),
                                                                values.begin() + static_cast<std::ptrdiff_t>(start + len)),
                                       kBytes);
    start += len;
  }
}

// load_attributes_from_hdf5_group: the attribute, or its chunks; none is an empty list.
std::vector<std::string> read_name_list(const H5Object& object, const std::string& name) {
  if (object.has_attribute(name)) return object.read_string_list_attribute(name);
  std::vector<std::string> out;
  for (size_t chunk = 0; object.has_attribute(name + std::to_string(chunk)); ++chunk) {
    std::vector<std::string> part = object.read_string_list_attribute(name + std::to_string(chunk));
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// Keras 3 names weights by variable.path: the layer's name scope and the variable's name. Sequential
// models build their layers inside their own scope ("mlp/hidden/kernel"); Functional ones outside.
void name_weights(const Layer& layer, const std::string& scope, std::map<const void*, std::string>& names) {
  for (const Variable& v : own_variables(layer)) names.emplace(v.handle(), scope + layer.name() + "/" + v.name());
  const std::string inner = layer.class_name() == "Functional" ? "" : scope + layer.name() + "/";
  for (const auto& child : layer.layers()) name_weights(*child, inner, names);
}

// Datasets are created by name: names repeated within one group get "_1", "_2", ...
std::vector<std::string> unique_names(const std::vector<Variable>& weights, const std::map<const void*, std::string>& paths,
                                      const std::string& fallback_scope) {
  std::vector<std::string> out;
  std::set<std::string> used;
  for (const Variable& v : weights) {
    auto it = paths.find(v.handle());
    std::string name = it != paths.end() ? it->second : fallback_scope + v.name();
    std::string candidate = name;
    for (int i = 1; !used.insert(candidate).second; ++i) candidate = name + "_" + std::to_string(i);
    out.push_back(candidate);
  }
  return out;
}

void write_weight_group(H5Group& group, const std::vector<Variable>& weights, const std::vector<std::string>& names) {
  write_name_list(group, "weight_names", names);
  for (size_t i = 0; i < weights.size(); ++i) group.create_dataset(names[i], weights[i].value());
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The saved values of `weights`, from the datasets `names` of `group`, shapes checked before reading.
Tensors read_weights(const H5Group& group, const std::vector<std::string>& names, const std::vector<Variable>& weights,
                     const std::string& who) {
  Tensors values;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!group.has_dataset(names[i])) {
      throw ValueError("Cannot load weights from '" + group.filename() + "': " + who + ": weight_names lists '" + names[i] +
                       "', but '" + group.path() + "' has no such dataset");
    }
    const H5Dataset data = group.dataset(names[i]);
    const Shape shape = data.shape();
    if (shape != weights[i].shape()) {
      throw ValueError("Cannot load weights from '" + group.filename() + "': shape mismatch in " + who + " for weight " +
                       weights[i].name() + ". Weight expects shape " + weights[i].shape().str() +
                       ". Received saved weight with shape " + shape.str() + " ('" + data.path() + "')");
    }
    Tensor t = data.read();
    values.push_back(t.dtype() == weights[i].dtype() ? t : t.astype(weights[i].dtype()));
  }
  return values;
}

Config upgrade_layer(Config layer) {
  if (!layer.is_object() || !layer.contains("config")) return layer;
  std::string cls = layer.value("class_name", std::string());
  if (cls == "Model") {
    cls = "Functional";
    layer["class_name"] = cls;
  }
  Config& config = layer["config"];
  if (config.is_array()) config = Config{{"name", to_snake_case(cls)}, {"layers", config}};  // Keras <= 2.2 Sequential
  if (!config.is_object()) return layer;
  if (config.contains("layers") && config["layers"].is_array()) {
    Config& layers = config["layers"];
    // A Keras 2 Sequential carries its input shape on its first layer.
    if (cls == "Sequential" && !layers.empty() && layers[0].is_object() && layers[0].value("class_name", "") != "InputLayer" &&
        layers[0].contains("config") && layers[0]["config"].is_object() && layers[0]["config"].contains("batch_input_shape")) {
      const Config& first = layers[0]["config"];
      const Config dtype = first.contains("dtype") && first["dtype"].is_string() ? first["dtype"] : Config("float32");
      const std::string name = first.contains("name") && first["name"].is_string() ? first["name"].get<std::string>() : "sequential";
      layers.insert(layers.begin(), Config{{"class_name", "InputLayer"},
                                           {"config", Config{{"batch_shape", first["batch_input_shape"]},
                                                             {"dtype", dtype},
                                                             {"name", name + "_input"}}}});
    }
    for (Config& entry : layers) entry = upgrade_layer(entry);
  }
  if (cls != "InputLayer") config.erase("batch_input_shape");
  if (config.contains("axis") && config["axis"].is_array() && config["axis"].size() == 1 && config["axis"][0].is_number_integer()) {
    config["axis"] = config["axis"][0];
  }
  return layer;
}

}  // namespace

Config legacy_model_config(const Layer& model) {
  const Config object = serialize_layer(model);
  Config out;
  const bool registered = object["registered_name"].is_string();
  out["class_name"] = registered ? object["registered_name"] : object["class_name"];
  out["config"] = legacy_body(object["config"]);
  if (!is_model_class(model.class_name()) && object.contains("build_config")) out["build_config"] = object["build_config"];
  return out;
}

Config upgrade_legacy_model_config(Config config) { return upgrade_layer(std::move(config)); }

void write_legacy_weights(H5Group& group, const Layer& model) {
  const std::vector<std::shared_ptr<Layer>> layers = model.layers();
  std::vector<std::string> layer_names;
  for (const auto& l : layers) layer_names.push_back(l->name());
  write_name_list(group, "layer_names", layer_names);
  group.write_string_attribute("backend", kLegacyBackend, kBytes);
  group.write_string_attribute("keras_version", kKerasVersion, kBytes);

  std::map<const void*, std::string> paths;
  const std::string scope = model.class_name() == "Functional" ? "" : model.name() + "/";
  for (const auto& l : layers) name_weights(*l, scope, paths);
  std::vector<std::shared_ptr<Layer>> sorted = layers;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a->name() < b->name(); });
  for (const auto& l : sorted) {
    H5Group g = group.create_group(l->name());
    const std::vector<Variable> weights = l->weights();
    write_weight_group(g, weights, unique_names(weights, paths, scope + l->name() + "/"));
  }
  H5Group top = group.create_group("top_level_model_weights");
  const std::vector<Variable> own = own_variables(model);
  write_weight_group(top, own, unique_names(own, {}, model.name() + "/"));
}

void load_legacy_weights(const H5Group& group, const Layer& model) {
  const std::string& file = group.filename();
  std::vector<std::shared_ptr<Layer>> layers;
  for (const auto& l : model.layers()) {
    if (!l->weights().empty()) layers.push_back(l);
  }
  std::vector<std::string> saved;  // saved layers that have weights
  std::vector<std::vector<std::string>> saved_weights;
  for (const std::string& name : read_name_list(group, "layer_names")) {
    if (!group.has_group(name)) {
      throw ValueError("Cannot load weights from '" + file + "': layer_names lists '" + name + "', but '" + group.path() +
                       "' has no such group");
    }
    std::vector<std::string> weight_names = read_name_list(group.group(name), "weight_names");
    if (weight_names.empty()) continue;
    saved.push_back(name);
    saved_weights.push_back(std::move(weight_names));
  }
  if (saved.size() != layers.size()) {
    std::vector<std::string> model_names;
    for (const auto& l : layers) model_names.push_back(l->name());
    throw ValueError("Cannot load weights from '" + file + "': layer count mismatch when loading weights from file. Model "
                     "expected " + std::to_string(layers.size()) + " layers, found " + std::to_string(saved.size()) +
                     " saved layers (the model's layers with weights: [" + join(model_names) + "]; the file's: [" +
                     join(saved) + "])");
  }
  std::vector<std::vector<Variable>> targets;
  std::vector<Tensors> values;
  for (size_t k = 0; k < layers.size(); ++k) {
    const std::vector<Variable> weights = layers[k]->weights();
    const std::string who = "layer #" + std::to_string(k) + " (named " + layers[k]->name() + " in the current model, " +
                            saved[k] + " in the save file)";
    if (saved_weights[k].size() != weights.size()) {
      throw ValueError("Cannot load weights from '" + file + "': weight count mismatch for " + who + ". Layer expects " +
                       std::to_string(weights.size()) + " weight(s). Received " + std::to_string(saved_weights[k].size()) +
                       " saved weight(s)");
    }
    values.push_back(read_weights(group.group(saved[k]), saved_weights[k], weights, who));
    targets.push_back(weights);
  }
  if (group.has_group("top_level_model_weights")) {
    const H5Group top = group.group("top_level_model_weights");
    const std::vector<std::string> names = read_name_list(top, "weight_names");
    const std::vector<Variable> own = own_variables(model);
    if (names.size() != own.size()) {
      throw ValueError("Cannot load weights from '" + file + "': weight count mismatch for top-level weights of model " +
                       model.name() + ". Model expects " + std::to_string(own.size()) + " top-level weight(s). Received " +
                       std::to_string(names.size()) + " saved top-level weight(s)");
    }
    values.push_back(read_weights(top, names, own, "the top-level model"));
    targets.push_back(own);
  }
  for (size_t k = 0; k < targets.size(); ++k) {
    for (size_t i = 0; i < targets[k].size(); ++i) targets[k][i].assign(values[k][i]);
  }
}

void save_legacy_h5_model(const Layer& model, const std::string& path, const std::function<void(H5File&)>& extra) {
  const std::string model_config = json_dumps(legacy_model_config(model));
  std::vector<uint8_t> bytes;
  {
    H5File file = H5File::create_in_memory(path);
    file.write_string_attribute("backend", kLegacyBackend, kStr);
    file.write_string_attribute("keras_version", kKerasVersion, kStr);
    file.write_string_attribute("model_config", model_config, kBytes);
    {
      H5Group weights = file.create_group("model_weights");
      write_legacy_weights(weights, model);
    }
    if (extra) extra(file);
    bytes = file.image();
  }
  AtomicFile out(path);
  out.write(bytes.data(), bytes.size());
  out.commit();
}

Config read_legacy_model_config(const H5File& file) {
  if (!file.has_attribute("model_config")) {
    throw ValueError("No model config found in the file at '" + file.filename() +
                     "' (it may hold weights only: build the model and call load_weights)");
  }
  const Config config = json_loads(file.read_string_attribute("model_config"), file.filename() + ":model_config");
  if (!config.is_object() || !config.contains("class_name") || !config.contains("config")) {
    throw ValueError("'" + file.filename() + "': model_config is not a {\"class_name\", \"config\"} dict");
  }
  return config;
}

void load_legacy_weights_file(const Layer& model, const std::string& path) {
  const H5File file = H5File::open(path);
  if (!file.has_attribute("layer_names") && file.has_group("model_weights")) {
    load_legacy_weights(file.group("model_weights"), model);
  } else {
    load_legacy_weights(file, model);
  }
}

}  // namespace keras::io
