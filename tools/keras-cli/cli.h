#pragma once
// The pieces keras-cli's commands share: argument parsing, exit codes, and reading and writing a
// model in any of the formats the tool knows (.keras, legacy .h5/.hdf5, .json + .weights.h5).
#include <keras/models/model.h>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace keras::cli {

/// Exit statuses, as a shell user expects them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a file that cannot be read or written, a model that fails
inline constexpr int kExitUsage = 2;    // a command line the tool cannot understand

/// A mistake in the command line: main prints it with the command's usage line and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One command: its name, a one-line description, its full --help text, and what runs it.
struct Command {
  const char* name;
  const char* summary;
  const char* help;  // begins with the usage line
  int (*run)(const std::vector<std::string>& args);
};

Command show_command();
Command predict_command();
Command convert_command();
Command plot_command();

/// A command line split into positional arguments and options ("--name value", "--name=value",
/// "-o value"). `with_value` lists the options that take a value (repeatable ones keep every value,
/// in order); `flags` those that take none. "--help" and "-h" set `help`. UsageError for anything else.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> options;
  bool help = false;
  bool has(const std::string& name) const { return options.count(name) != 0; }
  /// The option's value; UsageError when it was given more than once.
  std::string value(const std::string& name, const std::string& fallback = "") const;
};
Args parse_args(const std::vector<std::string>& args, const std::set<std::string>& with_value,
                const std::set<std::string>& flags = {});

/// The model file formats, by suffix.
enum class ModelFormat { keras, legacy_h5, json };
/// The format a path names: ".keras", ".h5"/".hdf5" (but not ".weights.h5", which holds no model),
/// ".json". UsageError naming the path otherwise.
ModelFormat model_format(const std::string& path);
/// The weights file beside a JSON config: "model.json" -> "model.weights.h5".
std::string json_weights_path(const std::string& json_path);

/// Reads a model with its weights (and compile config and optimizer state, where the file has
/// them). A .json file's weights come from the sibling json_weights_path(); when `require_weights`
/// and that file is missing, a RuntimeError (predictions from initial weights would be wrong).
std::shared_ptr<Model> load_model_file(const std::string& path, bool require_weights = true);
/// Writes a model in the format `path` names; a .json gets its sibling .weights.h5 too.
void save_model_file(const Model& model, const std::string& path);

/// The names Keras gives a model's inputs and outputs: those it was built with from name maps, else
/// the input layers' and output layers' names (as Keras 3's model.input_names/output_names).
std::vector<std::string> input_names_of(const Model& model);
std::vector<std::string> output_names_of(const Model& model);

bool ends_with(const std::string& s, const std::string& suffix);

}  // namespace keras::cli
