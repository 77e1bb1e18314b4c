#include "cli.h"

#include <keras/core/errors.h>
#include <keras/io/atomic_file.h>
#include <keras/layers/weight_budget.h>
#include <keras/models/saving.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace keras::cli {

namespace {

// A config file may be large but not absurd: beyond this it is refused before it is read.
constexpr std::uintmax_t kMaxJsonBytes = std::uintmax_t{256} << 20;

std::string read_text(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw RuntimeError("Cannot read '" + path + "': " + error.message());
  if (size > kMaxJsonBytes) {
    throw ValueError("Cannot load a model from '" + path + "': " + std::to_string(size) +
                     " bytes is too large for a JSON config");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RuntimeError("Cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw RuntimeError("Cannot read '" + path + "': read error");
  return text.str();
}

}  // namespace

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Args::value(const std::string& name, const std::string& fallback) const {
  const auto it = options.find(name);
  if (it == options.end()) return fallback;
  if (it->second.size() > 1) throw UsageError("option " + name + " given more than once");
  return it->second.front();
}

Args parse_args(const std::vector<std::string>& args, const std::set<std::string>& with_value,
                const std::set<std::string>& flags) {
  Args out;
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    std::string name = arg, value;
    bool inline_value = false;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    if (with_value.count(name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) throw UsageError("option " + name + " needs a value");
        value = args[++i];
      }
      out.options[name].push_back(value);
    } else if (flags.count(name)) {
      if (inline_value) throw UsageError("option " + name + " takes no value");
      out.options[name].push_back("");
    } else {
      throw UsageError("unknown option " + name);
    }
  }
  return out;
}

std::vector<std::string> input_names_of(const Model& model) {
  if (!model.input_names().empty()) return model.input_names();
  std::vector<std::string> names;
  for (const KerasTensor& x : model.inputs()) names.push_back(x.producer() ? x.producer()->layer->name() : x.name());
  return names;
}

std::vector<std::string> output_names_of(const Model& model) {
  if (!model.output_names().empty()) return model.output_names();
  std::vector<std::string> names;
  for (const KerasTensor& y : model.outputs()) names.push_back(y.producer() ? y.producer()->layer->name() : y.name());
  return names;
}

ModelFormat model_format(const std::string& path) {
  if (ends_with(path, ".keras")) return ModelFormat::keras;
  if (ends_with(path, ".weights.h5")) {
    throw UsageError("'" + path + "' names a weights-only file, which holds no model; give a .keras, .h5 or "
                     ".json file (a .json model keeps its weights in a sibling .weights.h5)");
  }
  if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) return ModelFormat::legacy_h5;
  if (ends_with(path, ".json")) return ModelFormat::json;
  throw UsageError("'" + path + "' is not a model file keras-cli knows: give a .keras, .h5, .hdf5 or .json file");
}

std::string json_weights_path(const std::string& json_path) {
  return json_path.substr(0, json_path.size() - std::string(".json").size()) + ".weights.h5";
}

std::shared_ptr<Model> load_model_file(const std::string& path, bool require_weights) {
  if (model_format(path) != ModelFormat::json) return load_model(path);
  const std::string weights = json_weights_path(path);
  std::error_code error;
  const std::uintmax_t weights_size = std::filesystem::file_size(weights, error);
  std::shared_ptr<Model> model;
  if (error) {
    model = models::model_from_json(read_text(path));
  } else {
    // The weights all come from the weights file, so they cannot need more than it holds.
    const WeightBudget budget(weights_size, path);
    model = models::model_from_json(read_text(path));
  }
  if (std::filesystem::exists(weights)) {
    model->load_weights(weights);
  } else if (require_weights) {
    throw RuntimeError("'" + path + "' holds a model's config but its weights file '" + weights +
                       "' does not exist");
  }
  return model;
}

void save_model_file(const Model& model, const std::string& path) {
  if (model_format(path) != ModelFormat::json) {
    model.save(path);
    return;
  }
  // Weights first: a failure then leaves no config pointing at missing or stale weights.
  model.save_weights(json_weights_path(path));
  const std::string json = model.to_json();
  io::AtomicFile file(path);
  file.write(json.data(), json.size());
  file.commit();
}

}  // namespace keras::cli
