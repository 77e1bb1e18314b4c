#include <keras/callbacks/csv_logger.h>

#include <keras/callbacks/monitor.h>
#include <keras/core/errors.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

namespace keras::callbacks {

struct CSVLogger::State {
  std::string filename;
  CSVLoggerOptions options;
  std::ofstream file;
  std::optional<std::vector<std::string>> keys;
  bool append_header = true;
  bool header_done = false;
};

CSVLogger::CSVLogger(std::string filename, CSVLoggerOptions options) : state_(std::make_shared<State>()) {
  if (filename.empty()) throw ValueError("CSVLogger: `filename` is empty");
  if (options.separator.size() != 1) {
    throw ValueError("CSVLogger: `separator` must be a 1-character string (Python's csv \"delimiter\"), received \"" +
                     options.separator + "\"");
  }
  state_->filename = std::move(filename);
  state_->options = std::move(options);
}

namespace {

// Python's csv.excel dialect with QUOTE_MINIMAL: quote a field holding the separator, a quote or a
// line break, doubling its quotes.
std::string csv_field(const std::string& text, const std::string& separator) {
  if (text.find(separator) == std::string::npos && text.find_first_of("\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

}  // namespace

const std::string& CSVLogger::filename() const { return state_->filename; }

void CSVLogger::on_train_begin(Logs& /*logs*/) {
  State& s = *state_;
  std::ios::openmode mode = std::ios::out | std::ios::binary;
  s.append_header = true;
  if (s.options.append) {
    if (std::filesystem::exists(s.filename)) {
      std::ifstream in(s.filename, std::ios::binary);
      s.append_header = in.peek() == std::ifstream::traits_type::eof();  // Keras: not bool(len(f.readline()))
    }
    mode |= std::ios::app;
  } else {
    mode |= std::ios::trunc;
  }
  if (s.file.is_open()) s.file.close();
  s.file.open(s.filename, mode);
  if (!s.file) throw RuntimeError("CSVLogger: cannot open '" + s.filename + "': " + std::strerror(errno));
  s.keys.reset();
  s.header_done = false;
}

void CSVLogger::on_epoch_end(int epoch, Logs& logs) {
  State& s = *state_;
  if (!s.file.is_open()) return;  // on_train_begin was not called: nothing to write to
  const std::string& sep = s.options.separator;
  if (!s.keys) {
    s.keys.emplace();
    for (const auto& [k, v] : logs) s.keys->push_back(k);  // Logs is sorted by key, as Keras's sorted()
  }
  if (!s.header_done) {
    if (s.append_header) {
      std::string header = "epoch";
      for (const auto& k : *s.keys) header += sep + csv_field(k, sep);
      s.file << header << "\r\n";
    }
    s.header_done = true;
  }
  std::string row = std::to_string(epoch);
  for (const auto& k : *s.keys) {
    const auto it = logs.find(k);
    row += sep + (it == logs.end() ? std::string("NA") : csv_field(detail::float_repr(it->second), sep));
  }
  s.file << row << "\r\n";
  s.file.flush();
  if (!s.file) throw RuntimeError("CSVLogger: cannot write '" + s.filename + "': " + std::strerror(errno));
}

void CSVLogger::on_train_end(Logs& /*logs*/) {
  if (state_->file.is_open()) state_->file.close();
  state_->header_done = false;
}

}  // namespace keras::callbacks
