#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>

namespace keras {

namespace {
std::mutex registry_mutex;
std::map<std::string, LayerFactory>& registry() {
  static std::map<std::string, LayerFactory> r;
  return r;
}
}  // namespace

bool register_layer(const std::string& registered_name, LayerFactory factory) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry()[registered_name] = std::move(factory);
  return true;
}

std::vector<std::string> registered_layers() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  std::vector<std::string> names;
  for (const auto& [name, f] : registry()) names.push_back(name);
  return names;
}

Shape shape_from_config(const Config& value, const std::string& what) {
  if (!value.is_array()) throw ValueError(what + ": expected a list of dimensions, got " + value.dump());
  std::vector<int64_t> dims;
  for (const Config& d : value) {
    if (d.is_null()) {
      dims.push_back(None);
    } else if (d.is_number_integer() && d.get<int64_t>() >= 0 && d.get<int64_t>() <= (int64_t{1} << 40)) {
      dims.push_back(d.get<int64_t>());
    } else {
      throw ValueError(what + ": dimensions must be null or integers in [0, 2^40], got " + value.dump());
    }
  }
  return Shape(dims);
}

Config shape_to_config(const Shape& shape) {
  Config out = Config::array();
  for (int64_t d : shape) out.push_back(d == None ? Config(nullptr) : Config(d));
  return out;
}

std::optional<uint64_t> seed_from_config(const Config& config, const std::string& who) {
  if (!config.contains("seed") || config["seed"].is_null()) return std::nullopt;
  if (!config["seed"].is_number_unsigned()) {
    throw ValueError(who + " config: 'seed' must be null or a non-negative integer, got " + config["seed"].dump());
  }
  return config["seed"].get<uint64_t>();
}

Config seed_to_config(const std::optional<uint64_t>& seed) { return seed ? Config(*seed) : Config(nullptr); }

Config serialize_layer(const Layer& layer) {
  Config c;
  const std::string& cls = layer.class_name();
  const bool builtin = [&] {
    std::lock_guard<std::mutex> lock(registry_mutex);
    return registry().count(cls) > 0;
  }();
  std::string registered;
  if (!builtin) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (const auto& [name, f] : registry()) {
      const auto sep = name.find('>');
      if (sep != std::string::npos && name.substr(sep + 1) == cls) registered = name;
    }
  }
  if (builtin) {
    c["module"] = cls == "Sequential" ? "keras" : cls == "Functional" ? "keras.src.models.functional" : "keras.layers";
  } else {
    c["module"] = registered.empty() ? "" : registered.substr(0, registered.find('>'));
  }
  c["class_name"] = cls;
  c["config"] = layer.get_config();
  if (cls == "Functional") {
    c["registered_name"] = "Functional";
  } else if (builtin) {
    c["registered_name"] = nullptr;
  } else {
    c["registered_name"] = registered.empty() ? cls : registered;
  }
  if (layer.build_input_shapes() && cls != "InputLayer") {
    const auto& shapes = *layer.build_input_shapes();
    if (shapes.size() == 1) {
      c["build_config"] = Config{{"input_shape", shape_to_config(shapes[0])}};
    } else {
      Config list = Config::array();
      for (const Shape& s : shapes) list.push_back(shape_to_config(s));
      c["build_config"] = Config{{"input_shape", list}};
    }
  }
  return c;
}

std::shared_ptr<Layer> deserialize_layer(const Config& object) {
  if (!object.is_object() || !object.contains("class_name") || !object["class_name"].is_string()) {
    throw ValueError("Cannot deserialize a layer from " + object.dump().substr(0, 200) +
                     ": expected a dict with 'class_name' and 'config'");
  }
  const std::string cls = object["class_name"].get<std::string>();
  std::string key = cls;
  if (object.contains("registered_name") && object["registered_name"].is_string()) {
    key = object["registered_name"].get<std::string>();
  }
  LayerFactory factory;
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    auto it = registry().find(key);
    if (it == registry().end()) it = registry().find(cls);
    if (it == registry().end()) {
      std::string known;
      for (const auto& [name, f] : registry()) known += (known.empty() ? "" : ", ") + name;
      throw ValueError("Unknown layer: '" + key + "'. Please ensure you are using a keras::layers class, or register "
                       "your custom layer with keras::register_layer(\"package>" + cls +
                       "\", factory) (or KERAS_REGISTER_LAYER). Known layers: " + known);
    }
    factory = it->second;
  }
  const Config config = object.contains("config") ? object["config"] : Config::object();
  if (!config.is_object()) throw ValueError("Layer '" + cls + "': 'config' must be a dict, got " + config.dump());
  std::shared_ptr<Layer> layer;
  try {
    layer = factory(config);
  } catch (const nlohmann::json::exception& e) {
    // A hand-edited or corrupted config: say which layer and what, never leak a JSON library error.
    throw ValueError("Layer '" + cls + "': malformed config (" + e.what() + "): " + config.dump().substr(0, 200));
  }
  if (object.contains("build_config") && object["build_config"].is_object() &&
      object["build_config"].contains("input_shape") && !layer->built()) {
    const Config& shape = object["build_config"]["input_shape"];
    const bool nested = shape.is_array() && !shape.empty() && shape[0].is_array();
    if (nested) {
      std::vector<Shape> shapes;
      for (const Config& s : shape) shapes.push_back(shape_from_config(s, cls + " build_config"));
      layer->build_from_config(shapes);
    } else if (!shape.is_null()) {
      layer->build_from_config({shape_from_config(shape, cls + " build_config")});
    }
  }
  return layer;
}

}  // namespace keras
