// keras-cli convert: a model from one file format to another.
#include "cli.h"

#include <iostream>

namespace keras::cli {

namespace {

constexpr const char* kHelp =
    "usage: keras-cli convert IN OUT\n\n"
    "Reads the model in IN and writes it to OUT, each in the format its suffix names:\n"
    "  .keras        the Keras 3 archive (config, weights, compile config and optimizer state)\n"
    "  .h5, .hdf5    Keras's legacy single-file HDF5 format (training_config and optimizer state too)\n"
    "  .json         the model's config (model.to_json()), with its weights in the sibling\n"
    "                .weights.h5 (model.json -> model.weights.h5); read back the same way\n"
    "OUT is written to a temporary file and renamed, so a failure leaves any existing OUT intact.\n";

int run(const std::vector<std::string>& argv) {
  const Args args = parse_args(argv, {});
  if (args.help) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (args.positional.size() != 2) {
    throw UsageError("expected IN and OUT, got " + std::to_string(args.positional.size()) + " argument(s)");
  }
  const std::string& in = args.positional[0];
  const std::string& out = args.positional[1];
  (void)model_format(in);
  (void)model_format(out);
  save_model_file(*load_model_file(in), out);
  return kExitOk;
}

}  // namespace

Command convert_command() { return {"convert", "convert between .keras, .h5 and .json + .weights.h5", kHelp, &run}; }

}  // namespace keras::cli
