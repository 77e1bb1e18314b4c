#include <keras/callbacks/progbar_logger.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

namespace keras::callbacks {

std::string format_log_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  return buf;
}

namespace {

std::string format_time_per_unit(double t) {
  char buf[64];
  if (t >= 1 || t == 0) {
    std::snprintf(buf, sizeof buf, " %.0fs/step", t);
  } else if (t >= 1e-3) {
    std::snprintf(buf, sizeof buf, " %.0fms/step", t * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, " %.0fus/step", t * 1e6);
  }
  return buf;
}

std::string format_eta(double eta) {
  char buf[64];
  if (eta > 3600) {
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", static_cast<int>(eta / 3600), static_cast<int>(std::fmod(eta, 3600) / 60),
                  static_cast<int>(std::fmod(eta, 60)));
  } else if (eta > 60) {
    std::snprintf(buf, sizeof buf, "%d:%02d", static_cast<int>(eta / 60), static_cast<int>(std::fmod(eta, 60)));
  } else {
    std::snprintf(buf, sizeof buf, "%ds", static_cast<int>(eta));
  }
  return buf;
}

std::string counter(int64_t current, int64_t target) {
  const int digits = static_cast<int>(std::log10(static_cast<double>(std::max<int64_t>(target, 1)))) + 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%*lld/%lld", digits, static_cast<long long>(current), static_cast<long long>(target));
  return buf;
}

std::string metrics_suffix(const Logs& logs) {
  std::string s;
  for (const auto& [k, v] : logs) s += " - " + k + ": " + format_log_value(v);
  return s;
}

constexpr int kWidth = 20;

}  // namespace

// Keras 3's utils/progbar.py, verbose 1: "{current}/{target} {bar} {eta or elapsed} {time}/step - metrics".
std::string format_progress(int64_t current, int64_t target, double elapsed, bool finished, const Logs& logs, bool color) {
  const double per_step = current > 0 ? elapsed / static_cast<double>(current) : 0.0;
  std::string line;
  if (target > 0) {
    const int done = static_cast<int>(kWidth * std::min(1.0, static_cast<double>(current) / static_cast<double>(target)));
    std::string filled, rest;
    for (int i = 0; i < done; ++i) filled += "━";
    for (int i = done; i < kWidth; ++i) rest += "━";
    if (color) {
      line = "\x1b[1m" + counter(current, target) + "\x1b[0m " + (done ? "\x1b[32m" + filled + "\x1b[0m" : "") +
             "\x1b[37m" + rest + "\x1b[0m";
    } else {
      line = counter(current, target) + " " + filled + rest;
    }
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%7lld/Unknown", static_cast<long long>(current));
    line = buf;
  }
  char secs[64];
  std::snprintf(secs, sizeof secs, "%.0fs", elapsed);
  const std::string when = target > 0 && !finished ? format_eta(per_step * static_cast<double>(target - current)) : secs;
  line += color ? " \x1b[1m" + when + "\x1b[0m" : " " + when;
  line += format_time_per_unit(per_step);
  return line + metrics_suffix(logs);
}

struct ProgbarLogger::State {
  int verbose = 1;
  int epochs = 1;
  std::optional<int64_t> steps;
  int64_t seen = 0;
  int64_t target = 0;
  bool in_fit = false;
  bool dynamic = false;
  size_t last_width = 0;
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point last_draw;
};

ProgbarLogger::ProgbarLogger() : state_(std::make_shared<State>()) { state_->dynamic = isatty(STDOUT_FILENO) != 0; }

void ProgbarLogger::set_params(const Params& params) {
  Callback::set_params(params);
  state_->verbose = params.verbose;
  state_->epochs = params.epochs;
  state_->steps = params.steps;
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void start(ProgbarLogger& /*self*/, auto& s, int64_t target) {
  s.seen = 0;
  s.target = target;
  s.last_width = 0;
  s.start = std::chrono::steady_clock::now();
  s.last_draw = s.start - std::chrono::seconds(1);
}

void draw(auto& s, const Logs& logs, bool finished) {
  if (s.verbose == 0) return;
  const double elapsed = seconds_since(s.start);
  if (s.verbose == 2 || !s.dynamic) {
    if (!finished) return;
    if (s.verbose == 2) {
      std::string line = (s.target > 0 ? counter(s.seen, s.target) : std::to_string(s.seen)) + " - ";
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.0fs", elapsed);
      line += secs;
      line += " -" + format_time_per_unit(s.seen ? elapsed / static_cast<double>(s.seen) : 0.0) + metrics_suffix(logs);
      std::cout << line << std::endl;
    } else {
      std::cout << format_progress(s.seen, s.target, elapsed, true, logs, false) << std::endl;
    }
    return;
  }
  // Redraw at most every 50 ms on a terminal, as Keras's interval does.
  if (!finished && seconds_since(s.last_draw) < 0.05) return;
  s.last_draw = std::chrono::steady_clock::now();
  std::string line = format_progress(s.seen, s.target, elapsed, finished, logs, true);
  std::cout << '\r' << line;
  if (line.size() < s.last_width) std::cout << std::string(s.last_width - line.size(), ' ');
  s.last_width = line.size();
  if (finished) std::cout << '\n';
  std::cout << std::flush;
}
}  // namespace

void ProgbarLogger::on_train_begin(Logs& /*logs*/) { state_->in_fit = true; }
void ProgbarLogger::on_train_end(Logs& /*logs*/) { state_->in_fit = false; }

void ProgbarLogger::on_epoch_begin(int epoch, Logs& /*logs*/) {
  if (state_->verbose && state_->epochs > 1) {
    std::cout << "Epoch " << epoch + 1 << "/" << state_->epochs << std::endl;
  }
  start(*this, *state_, state_->steps.value_or(0));
}

void ProgbarLogger::on_train_batch_end(int64_t batch, Logs& logs) {
  state_->seen = batch + 1;
  draw(*state_, logs, false);
}

void ProgbarLogger::on_epoch_end(int /*epoch*/, Logs& logs) {
  if (state_->target == 0) state_->target = state_->seen;
  draw(*state_, logs, true);
}

void ProgbarLogger::on_test_begin(Logs& /*logs*/) {
  if (!state_->in_fit) start(*this, *state_, state_->steps.value_or(0));
}

void ProgbarLogger::on_test_batch_end(int64_t batch, Logs& logs) {
  if (state_->in_fit) return;  // validation inside fit is reported in the epoch's line
  state_->seen = batch + 1;
  draw(*state_, logs, false);
}

void ProgbarLogger::on_test_end(Logs& logs) {
  if (state_->in_fit) return;
  if (state_->target == 0) state_->target = state_->seen;
  draw(*state_, logs, true);
}

void ProgbarLogger::on_predict_begin(Logs& /*logs*/) { start(*this, *state_, state_->steps.value_or(0)); }

void ProgbarLogger::on_predict_batch_end(int64_t batch, Logs& /*logs*/) {
  state_->seen = batch + 1;
  draw(*state_, {}, false);
}

void ProgbarLogger::on_predict_end(Logs& /*logs*/) {
  if (state_->target == 0) state_->target = state_->seen;
  draw(*state_, {}, true);
}

}  // namespace keras::callbacks
