// keras-cli predict: model.predict on NumPy files, written back as NumPy files.
#include "cli.h"

#include <keras/core/errors.h>
#include <keras/io/npy.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

namespace keras::cli {

namespace {

constexpr const char* kHelp =
    "usage: keras-cli predict FILE --input X [--input X ...] --output OUT [--batch-size N]\n\n"
    "Runs model.predict on arrays read from NumPy files and writes its outputs as NumPy files.\n\n"
    "arguments:\n"
    "  FILE            a .keras archive, a legacy .h5/.hdf5 file, or a .json config with its sibling\n"
    "                  .weights.h5\n"
    "  --input X       an input array: PATH.npy for the model's inputs in order, NAME=PATH.npy for the\n"
    "                  input called NAME (give every input by name or none by name), or PATH.npz\n"
    "                  whose arrays are named after the inputs (numpy.savez's arr_0, arr_1, ... stand\n"
    "                  for the inputs in order). Arrays are converted to each input's dtype.\n"
    "  --output OUT    OUT.npy for a model with one output, or OUT.npz holding every output under\n"
    "                  its name\n"
    "  --batch-size N  samples per batch (default 32)\n";

struct InputArg {
  std::string name;  // empty: positional
  std::string path;
};

// "name=path" names an input; a path holding '=' can be written "./a=b.npy".
InputArg parse_input(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq != std::string::npos && eq > 0 && text.substr(0, eq).find('/') == std::string::npos) {
    return {text.substr(0, eq), text.substr(eq + 1)};
  }
  return {"", text};
}

bool is_positional_npz_name(const std::string& name) { return name.rfind("arr_", 0) == 0; }

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

// The arrays the --input options give, in the model's input order.
Tensors gather_inputs(const Model& model, const std::vector<InputArg>& inputs) {
  std::vector<Tensor> positional;
  std::map<std::string, Tensor> named;
  for (const InputArg& input : inputs) {
    if (!ends_with(input.path, ".npz")) {
      const Tensor x = io::load_npy(input.path);
      if (input.name.empty()) {
        positional.push_back(x);
      } else if (!named.emplace(input.name, x).second) {
        throw ValueError("input '" + input.name + "' given more than once");
      }
      continue;
    }
    for (const auto& [name, x] : io::load_npz(input.path)) {
      if (is_positional_npz_name(name)) {
        positional.push_back(x);
      } else if (!named.emplace(name, x).second) {
        throw ValueError("input '" + name + "' given more than once (again in " + input.path + ")");
      }
    }
  }
  const std::vector<std::string> names = input_names_of(model);
  if (names.empty()) {
    // A subclassed model has no symbolic inputs: its arrays go to call() in the order given.
    if (!named.empty()) throw ValueError("model \"" + model.name() + "\" has no named inputs; give its inputs in order");
    return positional;
  }
  if (!positional.empty() && !named.empty()) {
    throw ValueError("give every input by name or none by name (the model's inputs: " + joined(names) + ")");
  }
  Tensors xs;
  if (named.empty()) {
    if (positional.size() != names.size()) {
      throw ValueError("model \"" + model.name() + "\" has " + std::to_string(names.size()) + " input(s) (" +
                       joined(names) + ") but " + std::to_string(positional.size()) + " array(s) were given");
    }
    xs = positional;
  } else {
    for (const auto& [name, x] : named) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        throw ValueError("model \"" + model.name() + "\" has no input '" + name + "' (its inputs: " + joined(names) + ")");
      }
    }
    for (const std::string& name : names) {
      const auto it = named.find(name);
      if (it == named.end()) throw ValueError("no array given for input '" + name + "' (its inputs: " + joined(names) + ")");
      xs.push_back(it->second);
    }
  }
  // As Keras's Functional model converts its inputs to the Input's dtype.
  for (size_t i = 0; i < xs.size(); ++i) {
    const DType dtype = model.inputs()[i].dtype();
    if (xs[i].dtype() != dtype) xs[i] = xs[i].astype(dtype);
  }
  return xs;
}

int run(const std::vector<std::string>& argv) {
  const Args args = parse_args(argv, {"--input", "--output", "--batch-size"});
  if (args.help) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (args.positional.size() != 1) throw UsageError("expected one FILE, got " + std::to_string(args.positional.size()));
  if (!args.has("--input")) throw UsageError("the following arguments are required: --input");
  if (!args.has("--output")) throw UsageError("the following arguments are required: --output");
  const std::string output = args.value("--output");
  const bool npz = ends_with(output, ".npz");
  if (!npz && !ends_with(output, ".npy")) throw UsageError("--output must end in .npy or .npz, got '" + output + "'");
  PredictOptions options;
  if (args.has("--batch-size")) {
    const std::string text = args.value("--batch-size");
    try {
      size_t used = 0;
      options.batch_size = std::stoll(text, &used);
      if (used != text.size() || options.batch_size <= 0) throw std::invalid_argument(text);
    } catch (const std::logic_error&) {
      throw UsageError("--batch-size must be a positive integer, got '" + text + "'");
    }
  }
  std::vector<InputArg> inputs;
  bool any_named = false, any_positional = false;
  for (const std::string& text : args.options.at("--input")) {
    inputs.push_back(parse_input(text));
    if (inputs.back().path.empty()) throw UsageError("--input '" + text + "' names no file");
    (inputs.back().name.empty() ? any_positional : any_named) = true;
  }
  if (any_named && any_positional) throw UsageError("give every --input as NAME=PATH or none");
  (void)model_format(args.positional[0]);

  const std::shared_ptr<Model> model = load_model_file(args.positional[0]);
  const Tensors ys = model->predict(gather_inputs(*model, inputs), options);
  std::vector<std::string> names = output_names_of(*model);
  if (names.size() != ys.size()) {
    names.clear();
    for (size_t i = 0; i < ys.size(); ++i) names.push_back("output_" + std::to_string(i));
  }
  if (!npz) {
    if (ys.size() != 1) {
      throw ValueError("model \"" + model->name() + "\" has " + std::to_string(ys.size()) + " outputs (" + joined(names) +
                       "): write them to a .npz file");
    }
    io::save_npy(output, ys[0]);
    return kExitOk;
  }
  std::vector<std::pair<std::string, Tensor>> arrays;
  std::set<std::string> used;
  for (size_t i = 0; i < ys.size(); ++i) {
    std::string name = names[i];
    // Two outputs of one layer share its name; numpy.savez keys must differ.
    for (int n = 1; used.count(name); ++n) name = names[i] + "_" + std::to_string(n);
    used.insert(name);
    arrays.emplace_back(name, ys[i]);
  }
  io::save_npz(output, arrays);
  return kExitOk;
}

}  // namespace

Command predict_command() { return {"predict", "run model.predict on .npy/.npz inputs", kHelp, &run}; }

}  // namespace keras::cli
