#include <keras/callbacks/model_checkpoint.h>

#include <keras/callbacks/monitor.h>
#include <keras/core/errors.h>
#include <keras/models/model.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>

namespace fs = std::filesystem;

namespace keras::callbacks {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Python's format(value, spec) for the specs a checkpoint path uses: [sign][0][width][.precision][type].
std::string format_value(const std::string& name, std::optional<int64_t> int_value, double float_value,
                         const std::string& spec) {
  if (spec.empty()) return int_value ? std::to_string(*int_value) : detail::float_repr(float_value);
  size_t i = 0;
  std::string flags;
  if (spec[i] == '+' || spec[i] == ' ') flags += spec[i++];
  else if (spec[i] == '-') ++i;  // Python's default: a sign for negatives only
  if (i < spec.size() && spec[i] == '0') flags += spec[i++];
  std::string width, precision;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) width += spec[i++];
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) precision += spec[i++];
    if (precision.empty()) throw ValueError("Format specifier missing precision");
  }
  const std::string type = spec.substr(i);
  const char* object_type = int_value ? "int" : "float";
  if (type.size() > 1 || (!type.empty() && std::string("dfFeEgG%").find(type[0]) == std::string::npos)) {
    throw NotImplementedError("ModelCheckpoint: the format spec '" + spec + "' of '{" + name + "}' is not supported " +
                              "(supported: [+| ][0][width][.precision][d|f|F|e|E|g|G|%])");
  }
  char buf[512];
  const std::string head = "%" + flags + width;
  if (type == "d") {
    if (!int_value) throw ValueError("Unknown format code 'd' for object of type '" + std::string(object_type) + "'");
    if (!precision.empty()) throw ValueError("Precision not allowed in integer format specifier");
    std::snprintf(buf, sizeof buf, (head + "lld").c_str(), static_cast<long long>(*int_value));
    return buf;
  }
  const double v = int_value ? static_cast<double>(*int_value) : float_value;
  if (type.empty()) {
    if (precision.empty()) {  // only a width: str(value), right-aligned
      const std::string s = int_value ? std::to_string(*int_value) : detail::float_repr(v);
      std::snprintf(buf, sizeof buf, (head + "s").c_str(), s.c_str());
      return buf;
    }
    // Python's general format without a type differs from 'g' (it keeps a ".0"); no path needs it.
    throw NotImplementedError("ModelCheckpoint: the format spec '" + spec + "' of '{" + name +
                              "}' is not supported; give a type, e.g. '." + precision + "f'");
  }
  if (type == "%") {
    std::snprintf(buf, sizeof buf, (head + "." + (precision.empty() ? "6" : precision) + "f%%").c_str(), v * 100.0);
    return buf;
  }
  std::snprintf(buf, sizeof buf, (head + "." + (precision.empty() ? "6" : precision) + type).c_str(), v);
  return buf;
}

}  // namespace

namespace detail {

std::string format_path(const std::string& pattern, const std::map<std::string, int64_t>& ints, const Logs& floats) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '}') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      throw ValueError("Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = pattern.find('}', i);
    if (close == std::string::npos) throw ValueError("Single '{' encountered in format string");
    const std::string field = pattern.substr(i + 1, close - i - 1);
    const size_t colon = field.find(':');
    const std::string name = field.substr(0, colon);
    const std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    if (name.empty() || name.find_first_of("!.[") != std::string::npos) {
      throw NotImplementedError("ModelCheckpoint: the field '{" + field +
                                "}' is not supported; name a log value, as in '{val_loss:.2f}'");
    }
    if (const auto it = ints.find(name); it != ints.end()) {
      out += format_value(name, it->second, 0.0, spec);
    } else if (const auto jt = floats.find(name); jt != floats.end()) {
      out += format_value(name, std::nullopt, jt->second, spec);
    } else {
      throw ValueError("Failed to format this callback filepath: \"" + pattern + "\". Reason: '" + name + "'");
    }
    i = close;
  }
  return out;
}

}  // namespace detail

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : state_(std::make_shared<State>()) {
  if (options.mode != "auto" && options.mode != "min" && options.mode != "max") {
    detail::warn("ModelCheckpoint mode '" + options.mode + "' is unknown, fallback to auto mode.");
    options.mode = "auto";
  }
  if (options.save_weights_only) {
    if (!ends_with(filepath, ".weights.h5")) {
      throw ValueError(
          "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` "
          "(Keras weights format). Received: filepath=" + filepath);
    }
  } else if (!ends_with(filepath, ".keras") && !ends_with(filepath, ".h5")) {
    throw ValueError("The filepath provided must end in `.keras` (Keras model format). Received: filepath=" + filepath);
  }
  state_->best = options.initial_value_threshold;
  state_->filepath = std::move(filepath);
  state_->options = std::move(options);
}

void ModelCheckpoint::set_monitor_op() {
  State& s = *state_;
  s.minimize = detail::monitor_minimizes(model(), s.options.mode, s.options.monitor);
  if (!s.minimize) {
    throw ValueError("ModelCheckpoint callback received monitor=" + s.options.monitor +
                     ", but Keras isn't able to automatically determine whether that metric should be maximized or "
                     "minimized. Pass `mode='max'` in order to monitor based on the highest metric value, or pass "
                     "`mode='min'` in order to use the lowest value.");
  }
  if (!s.best) {
    s.best = *s.minimize ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
}

void ModelCheckpoint::on_epoch_begin(int epoch, Logs& /*logs*/) { state_->current_epoch = epoch; }

void ModelCheckpoint::on_epoch_end(int epoch, Logs& logs) {
  if (!state_->minimize) set_monitor_op();  // the model's metrics are only all built after an epoch
  if (state_->options.save_freq.per_epoch()) save_model(epoch, std::nullopt, logs);
}

void ModelCheckpoint::on_train_batch_end(int64_t batch, Logs& logs) {
  if (should_save_on_batch(batch)) save_model(state_->current_epoch, batch, logs);
}

bool ModelCheckpoint::should_save_on_batch(int64_t batch) {
  State& s = *state_;
  if (s.options.save_freq.per_epoch()) return false;
  // With steps_per_execution, batch indices jump; a smaller index means a new epoch began.
  s.batches_seen_since_last_saving += batch <= s.last_batch_seen ? batch + 1 : batch - s.last_batch_seen;
  s.last_batch_seen = batch;
  if (s.batches_seen_since_last_saving < s.options.save_freq.batches()) return false;
  s.batches_seen_since_last_saving = 0;
  return true;
}

bool ModelCheckpoint::should_save_model(int epoch, const Logs& logs, const std::string& path) {
  State& s = *state_;
  const std::string prefix = "\nEpoch " + std::to_string(epoch + 1) + ": ";
  if (!s.options.save_best_only) {
    if (s.options.verbose > 0) std::cout << prefix << "saving model to " << path << std::endl;
    return true;
  }
  const auto it = logs.find(s.options.monitor);
  if (it == logs.end()) {
    detail::warn("Can save best model only with " + s.options.monitor + " available.");
    return true;
  }
  const double current = it->second;
  char best_str[64] = "None";
  if (s.best) std::snprintf(best_str, sizeof best_str, "%.5f", *s.best);
  // A batch-level save can come before the first epoch end has fixed the direction.
  if (!s.minimize) set_monitor_op();
  const bool improved = !s.best || (*s.minimize ? current < *s.best : current > *s.best);
  if (!improved) {
    if (s.options.verbose > 0) std::cout << prefix << s.options.monitor << " did not improve from " << best_str << std::endl;
    return false;
  }
  if (s.options.verbose > 0) {
    char current_str[64];
    std::snprintf(current_str, sizeof current_str, "%.5f", current);
    std::cout << prefix << s.options.monitor << " improved from " << best_str << " to " << current_str
              << ", saving model to " << path << std::endl;
  }
  s.best = current;
  return true;
}

void ModelCheckpoint::save_model(int epoch, std::optional<int64_t> batch, const Logs& logs) {
  std::map<std::string, int64_t> ints = {{"epoch", epoch + 1}};
  if (batch && !logs.count("batch")) ints.emplace("batch", *batch + 1);
  const std::string path = detail::format_path(state_->filepath, ints, logs);
  if (!should_save_model(epoch, logs, path)) return;
  if (fs::is_directory(path)) {
    throw RuntimeError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing "
                       "directory: " + path);
  }
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::exists(dir)) fs::create_directories(dir);
  if (state_->options.save_weights_only) {
    model().save_weights(path);
  } else {
    model().save(path);
  }
  if (state_->options.verbose > 0) {
    std::cout << "\nEpoch " << epoch + 1 << ": finished saving model to " << path << std::endl;
  }
}

}  // namespace keras::callbacks
