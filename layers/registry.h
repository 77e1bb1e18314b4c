#pragma once
#include <keras/layers/config.h>
#include <keras/layers/layer.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keras {

using LayerFactory = std::function<std::shared_ptr<Layer>(const Config& config)>;

/// Registers a layer class for deserialisation. Built-ins register under their Keras class name
/// ("Dense"); user layers under "package>Name", as keras.saving.register_keras_serializable keys them.
/// Returns true, so a registration can initialise a static.
bool register_layer(const std::string& registered_name, LayerFactory factory);
/// Every registered name, sorted.
std::vector<std::string> registered_layers();
/// Keras's serialize_keras_object for a layer: {"module", "class_name", "config", "registered_name",
/// "build_config"?}.
Config serialize_layer(const Layer& layer);
/// Rebuilds a layer from serialize_layer's dict (or a Keras 2 {"class_name", "config"} dict),
/// building it when a build_config is present. An unknown class is a ValueError naming it, the
/// known classes, and how to register a custom one.
std::shared_ptr<Layer> deserialize_layer(const Config& object);

/// A shape from JSON ([null, 8] -> (None, 8)); ValueError naming `what` on anything else.
Shape shape_from_config(const Config& value, const std::string& what);
Config shape_to_config(const Shape& shape);
/// A layer config's optional "seed" (null or a non-negative integer); ValueError naming `who` otherwise.
std::optional<uint64_t> seed_from_config(const Config& config, const std::string& who);
/// The "seed" a layer's get_config writes: the integer, or null.
Config seed_to_config(const std::optional<uint64_t>& seed);

}  // namespace keras

/// One line at the end of a layer's .cpp: KERAS_REGISTER_LAYER(Dense);
#define KERAS_REGISTER_LAYER(Class) \
  [[maybe_unused]] static const bool keras_registered_##Class = ::keras::register_layer(#Class, &Class::from_config)
