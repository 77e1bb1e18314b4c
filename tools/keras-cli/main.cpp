// keras-cli: inspect, run, convert and draw Keras model files from the shell, after TensorFlow's
// saved_model_cli. One command per file (show.cpp, predict.cpp, convert.cpp, plot.cpp).
#include "cli.h"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

using keras::cli::Command;

std::vector<Command> commands() {
  return {keras::cli::show_command(), keras::cli::predict_command(), keras::cli::convert_command(),
          keras::cli::plot_command()};
}

void print_help(std::ostream& os) {
  os << "usage: keras-cli COMMAND [ARGS...]\n\n"
        "Inspect, run, convert and plot Keras model files (.keras, legacy .h5, .json + .weights.h5).\n\n"
        "commands:\n";
  for (const Command& c : commands()) {
    os << "  " << c.name << std::string(10 - std::string(c.name).size(), ' ') << c.summary << "\n";
  }
  os << "\nRun 'keras-cli COMMAND --help' for a command's arguments.\n"
        "Exit status: 0 on success, 1 when a file cannot be read or written or the model fails, 2 for\n"
        "a command line keras-cli does not understand.\n";
}

// The usage line of a command: the first line of its help.
std::string usage_line(const Command& c) {
  const std::string help = c.help;
  return help.substr(0, help.find('\n'));
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(std::cerr);
    return keras::cli::kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(std::cout);
    return keras::cli::kExitOk;
  }
  for (const Command& command : commands()) {
    if (args[0] != command.name) continue;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
      return command.run(rest);
    } catch (const keras::cli::UsageError& e) {
      std::cerr << usage_line(command) << "\nkeras-cli " << command.name << ": error: " << e.what()
                << "\nRun 'keras-cli " << command.name << " --help' for details.\n";
      return keras::cli::kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "keras-cli " << command.name << ": error: " << e.what() << "\n";
      return keras::cli::kExitFailure;
    }
  }
  std::cerr << "keras-cli: error: unknown command '" << args[0] << "'\n\n";
  print_help(std::cerr);
  return keras::cli::kExitUsage;
}
