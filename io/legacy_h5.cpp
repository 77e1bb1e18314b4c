#include <keras/io/legacy_h5.h>

#include <keras/io/atomic_file.h>
#include <keras/io/keras_archive.h>
#include <keras/io/keras_h5_weights.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
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

// variable.path of every variable of the model's layers.
std::map<const void*, std::string> weight_paths(const Layer& model) {
  std::map<const void*, std::string> paths;
  const std::string scope = model.class_name() == "Functional" ? "" : model.name() + "/";
  for (const auto& l : model.layers()) name_weights(*l, scope, paths);
  return paths;
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

// Legacy serialize_keras_object: a Keras 3 object dict becomes {"class_name", "config"} (a registered
// name as its class name), a function its name; lists and dicts of them are walked.
Config legacy_object(const Config& value) {
  if (value.is_array()) {
    Config out = Config::array();
    for (const Config& v : value) out.push_back(legacy_object(v));
    return out;
  }
  if (!value.is_object()) return value;
  if (!value.contains("class_name")) {
    Config out = Config::object();
    for (const auto& [key, v] : value.items()) out[key] = legacy_object(v);
    return out;
  }
  const bool registered = value.contains("registered_name") && value["registered_name"].is_string();
  if (value["class_name"] == "function") return registered ? value["registered_name"] : value.value("config", Config());
  return Config{{"class_name", registered ? value["registered_name"] : value["class_name"]},
                {"config", value.value("config", Config::object())}};
}

[[noreturn]] void bad_training_config(const std::string& source, const std::string& problem) {
  throw ValueError("Cannot compile the model from the training_config of '" + source + "': " + problem);
}

// Keras 2's optimizer configs: "Custom>Adam" (tf.keras 2.11+), `lr`, `decay` (ignored by Keras 3 with a
// warning), and keys Keras 3's optimizers no longer take.
Config upgrade_optimizer_config(const Config& config, const std::string& source) {
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    bad_training_config(source, "optimizer_config must be a dict with a string class_name, got " + config.dump().substr(0, 200));
  }
  std::string class_name = config["class_name"].get<std::string>();
  if (class_name.rfind("Custom>", 0) == 0) class_name = class_name.substr(7);
  Config inner = config.contains("config") ? config["config"] : Config::object();
  if (!inner.is_object()) bad_training_config(source, "optimizer_config's config must be a dict, got " + inner.dump().substr(0, 200));
  if (inner.contains("lr")) {
    if (!inner.contains("learning_rate")) inner["learning_rate"] = inner["lr"];
    inner.erase("lr");
  }
  if (inner.contains("decay")) {
    if (!(inner["decay"].is_number() && inner["decay"].get<double>() == 0.0) && !inner["decay"].is_null()) {
      std::cerr << "UserWarning: Argument `decay` is no longer supported and will be ignored." << std::endl;
    }
    inner.erase("decay");
  }
  inner.erase("is_legacy_optimizer");
  inner.erase("jit_compile");
  return Config{{"class_name", class_name}, {"config", inner}};
}

// Keras 2 losses reduced "auto", which meant sum_over_batch_size in fit.
Config upgrade_loss(Config loss) {
  if (loss.is_array()) {
    for (Config& l : loss) l = upgrade_loss(l);
  } else if (loss.is_object() && !loss.contains("class_name")) {
    for (auto& [key, l] : loss.items()) l = upgrade_loss(l);
  } else if (loss.is_object() && loss.contains("config") && loss["config"].is_object() &&
             loss["config"].value("reduction", Config()) == "auto") {
    loss["config"]["reduction"] = "sum_over_batch_size";
  }
  return loss;
}

// tf.keras 2 saved its resolved metrics: MeanMetricWrapper objects around a function, and one list per
// output. A wrapper becomes the name compile understands (Keras's special "accuracy"-like names are
// resolved by the output's shape); a single output's list is the list.
Config upgrade_metric(const Config& metric) {
  if (!metric.is_object() || metric.value("class_name", Config()) != "MeanMetricWrapper" || !metric.contains("config") ||
      !metric["config"].is_object()) {
    return metric;
  }
  const Config& c = metric["config"];
  const Config name = c.value("name", Config());
  for (const char* special : {"accuracy", "acc", "crossentropy", "ce"}) {
    if (name == special) return name;
  }
  return c.contains("fn") && c["fn"].is_string() ? c["fn"] : metric;
}

Config upgrade_metrics(Config metrics) {
  if (metrics.is_array() && metrics.size() == 1 && metrics[0].is_array()) metrics = Config(metrics[0]);
  if (metrics.is_array()) {
    for (Config& m : metrics) m = upgrade_metric(m);
  } else if (metrics.is_object()) {
    for (auto& [key, m] : metrics.items()) m = m.is_array() ? upgrade_metrics(m) : upgrade_metric(m);
  }
  return metrics;
}

std::string underscored(std::string path) {
  std::replace(path.begin(), path.end(), '/', '_');
  return path;
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

  const std::map<const void*, std::string> paths = weight_paths(model);
  const std::string scope = model.class_name() == "Functional" ? "" : model.name() + "/";
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

Config legacy_training_config(const Config& compile_config) {
  if (!compile_config.is_object() || !compile_config.contains("optimizer") || !compile_config["optimizer"].is_object()) {
    throw ValueError("legacy_training_config: expected a compile config with an optimizer dict, got " +
                     compile_config.dump().substr(0, 200));
  }
  Config out = Config::object();
  for (const auto& [key, value] : compile_config.items()) {
    if (key != "optimizer") out[key] = legacy_object(value);
  }
  const Config& optimizer = compile_config["optimizer"];
  const bool registered = optimizer.contains("registered_name") && optimizer["registered_name"].is_string();
  out["optimizer_config"] = Config{{"class_name", registered ? optimizer["registered_name"] : optimizer["class_name"]},
                                   {"config", optimizer.value("config", Config::object())}};
  return out;
}

Config read_legacy_training_config(const H5File& file) {
  if (!file.has_attribute("training_config")) return Config();
  Config config = json_loads(file.read_string_attribute("training_config"), file.filename() + ":training_config");
  if (!config.is_object()) {
    throw ValueError("'" + file.filename() + "': training_config is not a dict: " + config.dump().substr(0, 200));
  }
  return config;
}

Config compile_config_from_training_config(const Config& training_config, const std::string& source) {
  if (!training_config.is_object()) bad_training_config(source, "expected a dict, got " + training_config.dump().substr(0, 200));
  if (!training_config.contains("optimizer_config")) bad_training_config(source, "it has no optimizer_config");
  Config out = Config::object();
  out["optimizer"] = upgrade_optimizer_config(training_config["optimizer_config"], source);
  // Each may be null, one object (a loss by name: a string), or a list or dict of them.
  const auto get = [&](const char* key, bool string_allowed) {
    const Config value = training_config.value(key, Config());
    if (!value.is_null() && !value.is_structured() && !(string_allowed && value.is_string())) {
      bad_training_config(source, std::string(key) + " must be " + (string_allowed ? "a name, " : "") +
                                      "a list or a dict, got " + value.dump().substr(0, 200));
    }
    return value;
  };
  out["loss"] = upgrade_loss(get("loss", true));
  out["loss_weights"] = get("loss_weights", false);
  out["metrics"] = upgrade_metrics(get("metrics", false));
  out["weighted_metrics"] = upgrade_metrics(get("weighted_metrics", false));
  return out;
}

std::vector<std::string> legacy_optimizer_weight_names(const Layer& model, const std::string& optimizer_name,
                                                       const std::vector<Variable>& variables,
                                                       const std::vector<Variable>& references) {
  const std::map<const void*, std::string> paths = weight_paths(model);
  std::vector<std::string> out;
  std::set<std::string> used;
  for (size_t i = 0; i < variables.size(); ++i) {
    std::string leaf = variables[i].name();
    if (i < references.size() && references[i].defined()) {
      // The optimizer named the slot "<reference name>_<slot>"; Keras uses the reference's whole path.
      const Variable& ref = references[i];
      std::string prefix = ref.name();
      std::replace(prefix.begin(), prefix.end(), ':', '_');
      prefix = underscored(prefix) + "_";
      const auto it = paths.find(ref.handle());
      const std::string path = it != paths.end() ? it->second : ref.name();
      if (leaf.rfind(prefix, 0) == 0) leaf = underscored(path) + "_" + leaf.substr(prefix.size());
    }
    const std::string name = optimizer_name + "/" + leaf;
    std::string candidate = name;
    for (int k = 1; !used.insert(candidate).second; ++k) candidate = name + "_" + std::to_string(k);
    out.push_back(candidate);
  }
  return out;
}

void write_legacy_training_config(H5File& file, const Config& compile_config) {
  file.write_string_attribute("training_config", json_dumps(legacy_training_config(compile_config)), kBytes);
}

void write_legacy_optimizer_weights(H5File& file, const std::vector<Variable>& variables,
                                    const std::vector<std::string>& names) {
  if (variables.empty()) return;
  if (names.size() != variables.size()) {
    throw ValueError("write_legacy_optimizer_weights: " + std::to_string(names.size()) + " names for " +
                     std::to_string(variables.size()) + " variables");
  }
  H5Group group = file.create_group("optimizer_weights");
  write_weight_group(group, variables, names);
}

std::vector<H5Dataset> legacy_optimizer_weights(const H5File& file) {
  if (file.has_dataset("optimizer_weights")) {
    throw ValueError("Cannot load the optimizer state from '" + file.filename() + "': optimizer_weights is a dataset, not a group");
  }
  if (!file.has_group("optimizer_weights")) return {};
  const H5Group group = file.group("optimizer_weights");
  std::vector<H5Dataset> out;
  for (const std::string& name : read_name_list(group, "weight_names")) {
    if (!group.has_dataset(name)) {
      throw ValueError("Cannot load the optimizer state from '" + file.filename() + "': optimizer_weights' weight_names lists '" +
                       name + "', but '" + group.path() + "' has no such dataset");
    }
    out.push_back(group.dataset(name));
  }
  return out;
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
