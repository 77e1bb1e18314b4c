#include <keras/optimizers/optimizers.h>

#include <keras/core/errors.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

namespace keras::optimizers {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

using Factory = std::function<std::shared_ptr<Optimizer>(const Config&)>;

template <class T>
Factory factory() {
  return [](const Config& config) { return std::make_shared<T>(T::from_config(config)); };
}

// Keras's ALL_OBJECTS_DICT: lowercased class names.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> map = {
      {"adadelta", factory<Adadelta>()}, {"adagrad", factory<Adagrad>()}, {"adam", factory<Adam>()},
      {"adamax", factory<Adamax>()},     {"adamw", factory<AdamW>()},     {"lion", factory<Lion>()},
      {"lossscaleoptimizer", factory<LossScaleOptimizer>()},
      {"nadam", factory<Nadam>()},       {"rmsprop", factory<RMSprop>()}, {"sgd", factory<SGD>()},
  };
  return map;
}

// Keras optimizers keras-cpp does not have: naming them says so rather than "unknown".
bool is_unimplemented_keras_optimizer(const std::string& key) {
  static const char* const names[] = {"adafactor", "ftrl",      "lamb",       "muon",
                                      "multioptimizer", "optimizermap", "schedulefreeadamw", "schedulefreesgd"};
  return std::find(std::begin(names), std::end(names), key) != std::end(names);
}

std::shared_ptr<Optimizer> from_class_name(const std::string& class_name, const Config& config) {
  const std::string key = lower(class_name);
  const auto it = factories().find(key);
  if (it != factories().end()) return it->second(config);
  if (is_unimplemented_keras_optimizer(key)) {
    throw NotImplementedError("Optimizer '" + class_name + "' is a Keras optimizer that keras-cpp does not implement");
  }
  throw ValueError("Could not interpret optimizer identifier: " + class_name);
}

}  // namespace

Config serialize(const Optimizer& optimizer) {
  return Config{{"module", "keras.optimizers"},
                {"class_name", optimizer.class_name()},
                {"config", optimizer.get_config()},
                {"registered_name", nullptr}};
}

std::shared_ptr<Optimizer> deserialize(const Config& config) {
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw ValueError("An optimizer config must be a dict with a string 'class_name', got " + config.dump());
  }
  const Config inner = config.contains("config") ? config["config"] : Config::object();
  return from_class_name(config["class_name"].get<std::string>(), inner);
}

}  // namespace keras::optimizers

namespace keras {

std::shared_ptr<optimizers::Optimizer> get_optimizer(const std::string& name) {
  return optimizers::from_class_name(name, Config::object());
}

OptimizerArg::OptimizerArg(const char* name) : OptimizerArg(std::string(name)) {}
OptimizerArg::OptimizerArg(const std::string& name) : optimizer_(get_optimizer(name)) {}

}  // namespace keras
