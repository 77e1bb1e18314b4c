#include <keras/metrics/metrics.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

namespace keras {

namespace {

using metrics::Metric;
using MetricPtr = std::shared_ptr<Metric>;

std::string name_of(const Config& c) {
  return c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : std::string();
}

// "float32", or a Keras 3 DTypePolicy dict {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
DType dtype_of(const Config& c) {
  if (!c.contains("dtype") || c["dtype"].is_null()) return DType::float32;
  const Config& d = c["dtype"];
  if (d.is_string()) return dtype_from_name(d.get<std::string>());
  if (d.is_object() && d.contains("config") && d["config"].contains("name")) {
    return dtype_from_name(d["config"]["name"].get<std::string>());
  }
  throw ValueError("Cannot read a metric dtype from " + d.dump());
}

metrics::MetricOptions base_of(const Config& c) { return {name_of(c), dtype_of(c)}; }

std::vector<double> doubles_of(const Config& c, const char* key) {
  if (!c.contains(key) || c[key].is_null()) return {};
  if (c[key].is_number()) return {c[key].get<double>()};
  return c[key].get<std::vector<double>>();
}

template <class T>
std::optional<T> optional_of(const Config& c, const char* key) {
  if (!c.contains(key) || c[key].is_null()) return std::nullopt;
  return c[key].get<T>();
}

template <class T>
T value_of(const Config& c, const char* key, T fallback) {
  return c.contains(key) && !c[key].is_null() ? c[key].get<T>() : fallback;
}

struct Entry {
  std::string class_name;
  std::string snake_name;
  std::function<MetricPtr(const Config&)> from_config;
};

template <class T>
Entry simple(std::string class_name, std::string snake_name) {
  return {std::move(class_name), std::move(snake_name), [](const Config& c) { return std::make_shared<T>(base_of(c)); }};
}

const std::vector<Entry>& entries() {
  using namespace metrics;
  static const std::vector<Entry> e = {
      simple<Mean>("Mean", "mean"),
      simple<Sum>("Sum", "sum"),
      simple<MeanSquaredError>("MeanSquaredError", "mean_squared_error"),
      simple<RootMeanSquaredError>("RootMeanSquaredError", "root_mean_squared_error"),
      simple<MeanAbsoluteError>("MeanAbsoluteError", "mean_absolute_error"),
      simple<MeanAbsolutePercentageError>("MeanAbsolutePercentageError", "mean_absolute_percentage_error"),
      simple<MeanSquaredLogarithmicError>("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error"),
      {"CosineSimilarity", "cosine_similarity",
       [](const Config& c) {
         return std::make_shared<CosineSimilarity>(
             CosineSimilarityOptions{name_of(c), dtype_of(c), value_of<int64_t>(c, "axis", -1)});
       }},
      simple<LogCoshError>("LogCoshError", "log_cosh_error"),
      {"R2Score", "r2_score",
       [](const Config& c) {
         std::optional<std::string> aggregation = "uniform_average";
         if (c.contains("class_aggregation")) aggregation = optional_of<std::string>(c, "class_aggregation");
         return std::make_shared<R2Score>(
             R2ScoreOptions{aggregation, value_of<int64_t>(c, "num_regressors", 0), name_of(c), dtype_of(c)});
       }},
      {"AUC", "auc",
       [](const Config& c) {
         return std::make_shared<AUC>(AUCOptions{value_of<int64_t>(c, "num_thresholds", 200),
                                                 value_of<std::string>(c, "curve", "ROC"),
                                                 value_of<std::string>(c, "summation_method", "interpolation"),
                                                 name_of(c), dtype_of(c), doubles_of(c, "thresholds"),
                                                 value_of<bool>(c, "multi_label", false),
                                                 optional_of<int64_t>(c, "num_labels"), doubles_of(c, "label_weights"),
                                                 value_of<bool>(c, "from_logits", false)});
       }},
      {"FalseNegatives", "false_negatives",
       [](const Config& c) {
         return std::make_shared<FalseNegatives>(ConfusionCountOptions{doubles_of(c, "thresholds"), name_of(c), dtype_of(c)});
       }},
      {"FalsePositives", "false_positives",
       [](const Config& c) {
         return std::make_shared<FalsePositives>(ConfusionCountOptions{doubles_of(c, "thresholds"), name_of(c), dtype_of(c)});
       }},
      {"TrueNegatives", "true_negatives",
       [](const Config& c) {
         return std::make_shared<TrueNegatives>(ConfusionCountOptions{doubles_of(c, "thresholds"), name_of(c), dtype_of(c)});
       }},
      {"TruePositives", "true_positives",
       [](const Config& c) {
         return std::make_shared<TruePositives>(ConfusionCountOptions{doubles_of(c, "thresholds"), name_of(c), dtype_of(c)});
       }},
      {"Precision", "precision",
       [](const Config& c) {
         return std::make_shared<Precision>(PrecisionOptions{doubles_of(c, "thresholds"), optional_of<int64_t>(c, "top_k"),
                                                             optional_of<int64_t>(c, "class_id"), name_of(c), dtype_of(c)});
       }},
      {"Recall", "recall",
       [](const Config& c) {
         return std::make_shared<Recall>(RecallOptions{doubles_of(c, "thresholds"), optional_of<int64_t>(c, "top_k"),
                                                       optional_of<int64_t>(c, "class_id"), name_of(c), dtype_of(c)});
       }},
      simple<Hinge>("Hinge", "hinge"),
      simple<SquaredHinge>("SquaredHinge", "squared_hinge"),
      simple<CategoricalHinge>("CategoricalHinge", "categorical_hinge"),
      simple<KLDivergence>("KLDivergence", "kl_divergence"),
      simple<Poisson>("Poisson", "poisson"),
      {"BinaryCrossentropy", "binary_crossentropy",
       [](const Config& c) {
         return std::make_shared<BinaryCrossentropy>(BinaryCrossentropyOptions{
             name_of(c), dtype_of(c), value_of<bool>(c, "from_logits", false), value_of<double>(c, "label_smoothing", 0.0)});
       }},
      {"CategoricalCrossentropy", "categorical_crossentropy",
       [](const Config& c) {
         return std::make_shared<CategoricalCrossentropy>(CategoricalCrossentropyOptions{
             name_of(c), dtype_of(c), value_of<bool>(c, "from_logits", false),
             value_of<double>(c, "label_smoothing", 0.0), value_of<int64_t>(c, "axis", -1)});
       }},
      {"SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
       [](const Config& c) {
         return std::make_shared<SparseCategoricalCrossentropy>(SparseCategoricalCrossentropyOptions{
             name_of(c), dtype_of(c), value_of<bool>(c, "from_logits", false), value_of<int64_t>(c, "axis", -1)});
       }},
      simple<Accuracy>("Accuracy", "accuracy"),
      {"BinaryAccuracy", "binary_accuracy",
       [](const Config& c) {
         return std::make_shared<BinaryAccuracy>(
             BinaryAccuracyOptions{name_of(c), dtype_of(c), value_of<double>(c, "threshold", 0.5)});
       }},
      simple<CategoricalAccuracy>("CategoricalAccuracy", "categorical_accuracy"),
      simple<SparseCategoricalAccuracy>("SparseCategoricalAccuracy", "sparse_categorical_accuracy"),
      {"TopKCategoricalAccuracy", "top_k_categorical_accuracy",
       [](const Config& c) {
         return std::make_shared<TopKCategoricalAccuracy>(
             TopKCategoricalAccuracyOptions{value_of<int64_t>(c, "k", 5), name_of(c), dtype_of(c)});
       }},
      {"SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy",
       [](const Config& c) {
         return std::make_shared<SparseTopKCategoricalAccuracy>(
             TopKCategoricalAccuracyOptions{value_of<int64_t>(c, "k", 5), name_of(c), dtype_of(c)});
       }},
      {"F1Score", "f1_score",
       [](const Config& c) {
         return std::make_shared<F1Score>(F1ScoreOptions{optional_of<std::string>(c, "average"),
                                                         optional_of<double>(c, "threshold"), name_of(c), dtype_of(c)});
       }},
      {"FBetaScore", "f_beta_score",
       [](const Config& c) {
         return std::make_shared<FBetaScore>(FBetaScoreOptions{optional_of<std::string>(c, "average"),
                                                               value_of<double>(c, "beta", 1.0),
                                                               optional_of<double>(c, "threshold"), name_of(c), dtype_of(c)});
       }},
  };
  return e;
}

// Keras's ALL_OBJECTS_DICT: class names, their snake_case, and the legacy abbreviations.
const Entry* find_entry(const std::string& identifier) {
  static const std::map<std::string, std::string> aliases = {
      {"bce", "BinaryCrossentropy"}, {"BCE", "BinaryCrossentropy"}, {"mse", "MeanSquaredError"},
      {"MSE", "MeanSquaredError"},   {"mae", "MeanAbsoluteError"},  {"MAE", "MeanAbsoluteError"},
      {"mape", "MeanAbsolutePercentageError"}, {"MAPE", "MeanAbsolutePercentageError"},
      {"msle", "MeanSquaredLogarithmicError"}, {"MSLE", "MeanSquaredLogarithmicError"},
  };
  auto alias = aliases.find(identifier);
  const std::string& key = alias != aliases.end() ? alias->second : identifier;
  for (const Entry& e : entries()) {
    if (e.class_name == key || e.snake_name == key) return &e;
  }
  return nullptr;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_accuracy(const std::string& name) { return lower(name) == "accuracy" || lower(name) == "acc"; }
bool is_crossentropy(const std::string& name) { return lower(name) == "crossentropy" || lower(name) == "ce"; }

MetricPtr make(const Entry& entry, const Config& config) {
  try {
    return entry.from_config(config);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError("Metric '" + entry.class_name + "': malformed config (" + e.what() + "): " + config.dump());
  }
}

}  // namespace

MetricArg::MetricArg(const char* name) : MetricArg(std::string(name)) {}

MetricArg::MetricArg(const std::string& name) : given_name_(name) {
  if (!is_accuracy(name) && !is_crossentropy(name) && find_entry(name) == nullptr) {
    throw ValueError("Could not interpret metric identifier: " + name);
  }
}

MetricArg::MetricArg(std::shared_ptr<metrics::Metric> metric) : metric_(std::move(metric)) {
  if (!metric_) throw ValueError("MetricArg: the metric is null");
  given_name_ = metric_->name();
}

MetricArg::MetricArg(std::function<Tensor(const Tensor&, const Tensor&)> fn, std::string name)
    : given_name_(std::move(name)), fn_(std::move(fn)) {
  if (!fn_) throw ValueError("MetricArg: the metric function '" + given_name_ + "' is empty");
  if (given_name_.empty()) throw ValueError("MetricArg: a metric function needs a name");
}

std::shared_ptr<metrics::Metric> MetricArg::resolve(const Shape& y_true, const Shape& y_pred) const {
  if (metric_) return metric_;
  const metrics::MetricOptions named{.name = given_name_};
  if (fn_) return std::make_shared<metrics::MeanMetricWrapper>(fn_, named);
  if (is_accuracy(given_name_) || is_crossentropy(given_name_)) {
    // compile_utils.is_binary_or_sparse_categorical, on the first batch's shapes.
    const int64_t t_last = y_true.rank() > 0 ? y_true[-1] : 1;
    const int64_t p_last = y_pred.rank() > 0 ? y_pred[-1] : 1;
    const bool is_binary = p_last == 1;
    const bool is_sparse = y_true.rank() < y_pred.rank() || (t_last == 1 && p_last > 1);
    if (is_accuracy(given_name_)) {
      if (is_binary) return std::make_shared<metrics::BinaryAccuracy>(metrics::BinaryAccuracyOptions{.name = given_name_});
      if (is_sparse) return std::make_shared<metrics::SparseCategoricalAccuracy>(named);
      return std::make_shared<metrics::CategoricalAccuracy>(named);
    }
    if (is_binary) {
      return std::make_shared<metrics::BinaryCrossentropy>(metrics::BinaryCrossentropyOptions{.name = given_name_});
    }
    if (is_sparse) {
      return std::make_shared<metrics::SparseCategoricalCrossentropy>(
          metrics::SparseCategoricalCrossentropyOptions{.name = given_name_});
    }
    return std::make_shared<metrics::CategoricalCrossentropy>(
        metrics::CategoricalCrossentropyOptions{.name = given_name_});
  }
  const Entry* entry = find_entry(given_name_);
  if (entry == nullptr) throw ValueError("Could not interpret metric identifier: " + given_name_);
  return make(*entry, Config{{"name", given_name_}});
}

Config MetricArg::to_config() const {
  if (metric_) {
    return Config{{"module", "keras.metrics"}, {"class_name", metric_->class_name()}, {"config", metric_->get_config()},
                  {"registered_name", nullptr}};
  }
  if (fn_) {
    return Config{{"module", "builtins"}, {"class_name", "function"}, {"config", given_name_},
                  {"registered_name", given_name_}};
  }
  return Config(given_name_);
}

MetricArg MetricArg::from_config(const Config& config) {
  if (config.is_string()) return MetricArg(config.get<std::string>());
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw ValueError("Cannot read a metric from " + config.dump().substr(0, 200) +
                     ": expected a name or {\"class_name\": ..., \"config\": {...}}");
  }
  const std::string class_name = config["class_name"].get<std::string>();
  if (class_name == "function") {
    throw ValueError("Cannot restore the metric function " + config.value("config", Config()).dump() +
                     ": functions are not serialisable; pass it to compile again");
  }
  const Entry* entry = find_entry(class_name);
  if (entry == nullptr || entry->class_name != class_name) {
    throw ValueError("Unknown metric class '" + class_name + "' in " + config.dump().substr(0, 200));
  }
  const Config args = config.contains("config") && config["config"].is_object() ? config["config"] : Config::object();
  MetricArg arg;
  arg.metric_ = make(*entry, args);
  arg.given_name_ = arg.metric_->name();
  return arg;
}

}  // namespace keras
