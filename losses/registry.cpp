#include <keras/losses/hinge.h>
#include <keras/losses/loss.h>
#include <keras/losses/probabilistic.h>
#include <keras/losses/regression.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>

namespace keras {

namespace {

using losses::LossOptions;
using Factory = std::function<std::shared_ptr<const losses::Loss>(const Config&)>;

std::string reduction_of(const Config& c) {
  if (!c.contains("reduction")) return "sum_over_batch_size";
  if (c["reduction"].is_null()) return "none";  // Keras's reduction=None
  return c["reduction"].get<std::string>();
}

LossOptions base_options(const Config& c) { return {c.value("name", std::string()), reduction_of(c)}; }

template <class T>
Factory plain() {
  return [](const Config& c) { return std::make_shared<const T>(base_options(c)); };
}

// Keras class name -> factory from its get_config() dict.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> f = {
      {"MeanSquaredError", plain<losses::MeanSquaredError>()},
      {"MeanAbsoluteError", plain<losses::MeanAbsoluteError>()},
      {"MeanAbsolutePercentageError", plain<losses::MeanAbsolutePercentageError>()},
      {"MeanSquaredLogarithmicError", plain<losses::MeanSquaredLogarithmicError>()},
      {"CosineSimilarity", [](const Config& c) {
         const LossOptions o = base_options(c);
         return std::make_shared<const losses::CosineSimilarity>(
             losses::CosineSimilarityOptions{c.value("axis", int64_t{-1}), o.reduction, o.name});
       }},
      {"Huber", [](const Config& c) {
         const LossOptions o = base_options(c);
         return std::make_shared<const losses::Huber>(losses::HuberOptions{c.value("delta", 1.0), o.reduction, o.name});
       }},
      {"LogCosh", plain<losses::LogCosh>()},
      {"KLDivergence", plain<losses::KLDivergence>()},
      {"Poisson", plain<losses::Poisson>()},
      {"BinaryCrossentropy", [](const Config& c) {
         const LossOptions o = base_options(c);
         return std::make_shared<const losses::BinaryCrossentropy>(losses::BinaryCrossentropyOptions{
             c.value("from_logits", false), c.value("label_smoothing", 0.0), c.value("axis", int64_t{-1}),
             o.reduction, o.name});
       }},
      {"BinaryFocalCrossentropy", [](const Config& c) {
         const LossOptions o = base_options(c);
         return std::make_shared<const losses::BinaryFocalCrossentropy>(losses::BinaryFocalCrossentropyOptions{
             c.value("apply_class_balancing", false), c.value("alpha", 0.25), c.value("gamma", 2.0),
             c.value("from_logits", false), c.value("label_smoothing", 0.0), c.value("axis", int64_t{-1}),
             o.reduction, o.name});
       }},
      {"CategoricalCrossentropy", [](const Config& c) {
         const LossOptions o = base_options(c);
         return std::make_shared<const losses::CategoricalCrossentropy>(losses::CategoricalCrossentropyOptions{
             c.value("from_logits", false), c.value("label_smoothing", 0.0), c.value("axis", int64_t{-1}),
             o.reduction, o.name});
       }},
      {"SparseCategoricalCrossentropy", [](const Config& c) {
         const LossOptions o = base_options(c);
         std::optional<int64_t> ignore_class;
         if (c.contains("ignore_class") && !c["ignore_class"].is_null()) ignore_class = c["ignore_class"].get<int64_t>();
         return std::make_shared<const losses::SparseCategoricalCrossentropy>(
             losses::SparseCategoricalCrossentropyOptions{c.value("from_logits", false), ignore_class, o.reduction, o.name});
       }},
      {"Hinge", plain<losses::Hinge>()},
      {"SquaredHinge", plain<losses::SquaredHinge>()},
      {"CategoricalHinge", plain<losses::CategoricalHinge>()},
  };
  return f;
}

// keras.losses function names and Keras's aliases (ALL_OBJECTS_DICT and the legacy names) -> class.
const std::map<std::string, std::string>& functions() {
  static const std::map<std::string, std::string> f = {
      {"mean_squared_error", "MeanSquaredError"},
      {"mse", "MeanSquaredError"},
      {"MSE", "MeanSquaredError"},
      {"mean_absolute_error", "MeanAbsoluteError"},
      {"mae", "MeanAbsoluteError"},
      {"MAE", "MeanAbsoluteError"},
      {"mean_absolute_percentage_error", "MeanAbsolutePercentageError"},
      {"mape", "MeanAbsolutePercentageError"},
      {"MAPE", "MeanAbsolutePercentageError"},
      {"mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"},
      {"msle", "MeanSquaredLogarithmicError"},
      {"MSLE", "MeanSquaredLogarithmicError"},
      {"cosine_similarity", "CosineSimilarity"},
      {"huber", "Huber"},
      {"log_cosh", "LogCosh"},
      {"logcosh", "LogCosh"},
      {"kl_divergence", "KLDivergence"},
      {"kld", "KLDivergence"},
      {"KLD", "KLDivergence"},
      {"kullback_leibler_divergence", "KLDivergence"},
      {"poisson", "Poisson"},
      {"binary_crossentropy", "BinaryCrossentropy"},
      {"bce", "BinaryCrossentropy"},
      {"BCE", "BinaryCrossentropy"},
      {"binary_focal_crossentropy", "BinaryFocalCrossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
      {"hinge", "Hinge"},
      {"squared_hinge", "SquaredHinge"},
      {"categorical_hinge", "CategoricalHinge"},
  };
  return f;
}

std::shared_ptr<const losses::Loss> make(const std::string& class_name, const Config& config) {
  auto it = factories().find(class_name);
  if (it == factories().end()) throw ValueError("Unknown loss class: '" + class_name + "'");
  try {
    return it->second(config);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError("Loss '" + class_name + "': malformed config (" + e.what() + "): " + config.dump());
  }
}

[[noreturn]] void unknown(const std::string& name) {
  std::string known;
  for (const auto& [n, c] : functions()) known += (known.empty() ? "" : ", ") + n;
  throw ValueError("Could not interpret loss identifier: '" + name + "'. Known names: " + known +
                   ", or a Keras loss class name such as 'MeanSquaredError'");
}

}  // namespace

LossArg::LossArg(const char* name) : LossArg(std::string(name)) {}

LossArg::LossArg(const std::string& name) : given_name_(name) {
  // A function name gives the function wrapped under the name as given, as Keras's compile does.
  if (auto f = functions().find(name); f != functions().end()) {
    loss_ = make(f->second, Config{{"name", name}});
  } else if (factories().count(name)) {
    loss_ = make(name, Config::object());
  } else {
    unknown(name);
  }
}

LossArg::LossArg(std::function<Tensor(const Tensor&, const Tensor&)> fn, std::string name)
    : loss_(std::make_shared<const losses::LossFunctionWrapper>(std::move(fn), losses::LossOptions{std::move(name)})),
      is_function_(true) {}

const losses::Loss& LossArg::operator*() const {
  if (!loss_) throw ValueError("LossArg: no loss was given (None)");
  return *loss_;
}

Config LossArg::to_config() const {
  if (!loss_) return Config(nullptr);
  if (!given_name_.empty()) return Config(given_name_);
  if (is_function_) {
    return Config{{"module", "builtins"}, {"class_name", "function"}, {"config", loss_->name()},
                  {"registered_name", loss_->name()}};
  }
  return Config{{"module", "keras.losses"}, {"class_name", loss_->class_name()}, {"config", loss_->get_config()},
                {"registered_name", nullptr}};
}

LossArg LossArg::from_config(const Config& config) {
  if (config.is_null()) return LossArg();
  if (config.is_string()) return LossArg(config.get<std::string>());
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw ValueError("Cannot read a loss from " + config.dump().substr(0, 200) +
                     ": expected a name or {\"class_name\": ..., \"config\": {...}}");
  }
  const std::string class_name = config["class_name"].get<std::string>();
  const Config args = config.contains("config") ? config["config"] : Config::object();
  if (class_name == "function") {
    const std::string fn = args.is_string() ? args.get<std::string>() : std::string();
    if (!functions().count(fn)) {
      throw ValueError("Cannot restore the loss function '" + fn +
                       "': only Keras's own loss functions can be read from a config; pass a custom one again");
    }
    return LossArg(fn);
  }
  if (!args.is_object()) throw ValueError("Loss '" + class_name + "': config must be a dict, got " + args.dump());
  LossArg arg;
  if (class_name == "LossFunctionWrapper") {
    // Keras writes the wrapped function under "fn" and its keyword arguments beside the name.
    const Config fn = args.value("fn", Config());
    const std::string fn_name = fn.is_object() && fn.contains("config") && fn["config"].is_string()
                                    ? fn["config"].get<std::string>()
                                    : std::string();
    auto it = functions().find(fn_name);
    if (it == functions().end()) {
      throw ValueError("Cannot restore LossFunctionWrapper of '" + fn_name +
                       "': only Keras's own loss functions can be read from a config");
    }
    arg.loss_ = make(it->second, args);
    return arg;
  }
  if (!factories().count(class_name)) unknown(class_name);
  arg.loss_ = make(class_name, args);
  return arg;
}

}  // namespace keras
