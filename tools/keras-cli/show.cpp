// keras-cli show: what a model file says about itself (Keras version, backend, date saved) and the
// model's summary().
#include "cli.h"

#include <keras/io/h5_file.h>
#include <keras/io/keras_archive.h>
#include <keras/models/saving.h>

#include <filesystem>
#include <iostream>

namespace keras::cli {

namespace {

constexpr const char* kHelp =
    "usage: keras-cli show FILE [--expand-nested] [--show-trainable] [--line-length N]\n\n"
    "Prints what FILE records about itself (format, Keras version, backend, date saved, where the\n"
    "file has them), the model's inputs, outputs and compile settings, and its summary().\n\n"
    "arguments:\n"
    "  FILE              a .keras archive, a legacy .h5/.hdf5 file, or a .json config (whose weights,\n"
    "                    when present, are the sibling .weights.h5)\n"
    "  --expand-nested   also list the layers of nested models (summary's expand_nested)\n"
    "  --show-trainable  add a Trainable column (summary's show_trainable)\n"
    "  --line-length N   the summary's width in characters\n";

void print_field(const std::string& label, const std::string& value) {
  std::cout << label << ":" << std::string(label.size() < 14 ? 14 - label.size() : 1, ' ') << value << "\n";
}

// A metadata value as text: strings bare, anything else as JSON.
std::string text_of(const Config& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

void print_json_metadata(const Config& object, const char* key, const std::string& label) {
  if (object.is_object() && object.contains(key)) print_field(label, text_of(object[key]));
}

void print_file_metadata(const std::string& path, ModelFormat format) {
  print_field("File", path);
  switch (format) {
    case ModelFormat::keras: {
      print_field("Format", "Keras 3 archive (.keras)");
      const io::KerasArchive archive = io::read_keras_archive(path, true);
      print_json_metadata(archive.metadata, "keras_version", "Keras version");
      print_json_metadata(archive.metadata, "date_saved", "Date saved");
      break;
    }
    case ModelFormat::legacy_h5: {
      print_field("Format", "legacy HDF5 model (.h5)");
      const io::H5File file = io::H5File::open(path);
      if (file.has_attribute("keras_version")) print_field("Keras version", file.read_string_attribute("keras_version"));
      if (file.has_attribute("backend")) print_field("Backend", file.read_string_attribute("backend"));
      break;
    }
    case ModelFormat::json: {
      print_field("Format", "JSON model config (.json)");
      const std::string weights = json_weights_path(path);
      print_field("Weights", std::filesystem::exists(weights) ? weights : "none (no " + weights + ")");
      break;
    }
  }
}

std::string tensor_list(const std::vector<KerasTensor>& tensors, const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < tensors.size(); ++i) {
    out += (i ? ", " : "") + names[i] + " " + tensors[i].shape().str() + " " + std::string(dtype_name(tensors[i].dtype()));
  }
  return out;
}

// compile_config's optimizer: a class name from its dict, or the string Keras was given.
std::string optimizer_text(const Config& optimizer) {
  if (optimizer.is_object() && optimizer.contains("class_name")) return text_of(optimizer["class_name"]);
  return text_of(optimizer);
}

int run(const std::vector<std::string>& argv) {
  const Args args = parse_args(argv, {"--line-length"}, {"--expand-nested", "--show-trainable"});
  if (args.help) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (args.positional.size() != 1) throw UsageError("expected one FILE, got " + std::to_string(args.positional.size()));
  SummaryOptions summary{.expand_nested = args.has("--expand-nested"), .show_trainable = args.has("--show-trainable")};
  if (args.has("--line-length")) {
    const std::string text = args.value("--line-length");
    try {
      size_t used = 0;
      summary.line_length = std::stoll(text, &used);
      if (used != text.size() || *summary.line_length <= 0) throw std::invalid_argument(text);
    } catch (const std::logic_error&) {
      throw UsageError("--line-length must be a positive integer, got '" + text + "'");
    }
  }
  const std::string& path = args.positional[0];
  const ModelFormat format = model_format(path);
  print_file_metadata(path, format);
  const std::shared_ptr<Model> model = load_model_file(path, false);
  print_field("Model", "\"" + model->name() + "\" (" + model->class_name() + ")");
  if (!model->inputs().empty()) print_field("Inputs", tensor_list(model->inputs(), input_names_of(*model)));
  if (!model->outputs().empty()) print_field("Outputs", tensor_list(model->outputs(), output_names_of(*model)));
  if (model->compiled()) {
    const Config compile = model->get_compile_config();
    std::string text = "optimizer " + optimizer_text(compile.value("optimizer", Config()));
    if (compile.contains("loss") && !compile["loss"].is_null()) text += ", loss " + compile["loss"].dump();
    print_field("Compiled", text);
  } else {
    print_field("Compiled", "no");
  }
  std::cout << "\n";
  model->summary(std::cout, summary);
  return kExitOk;
}

}  // namespace

Command show_command() { return {"show", "print a model file's metadata and summary()", kHelp, &run}; }

}  // namespace keras::cli
