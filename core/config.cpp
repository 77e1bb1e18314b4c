#include <keras/core/config.h>

#include <keras/core/errors.h>

#include <atomic>

namespace keras::config {

namespace {
// Keras keeps this in a module global; an atomic keeps concurrent readers well-defined.
std::atomic<bool> g_channels_first{false};
}  // namespace

std::string image_data_format() { return g_channels_first.load() ? "channels_first" : "channels_last"; }

void set_image_data_format(const std::string& data_format) {
  if (data_format != "channels_last" && data_format != "channels_first") {
    throw ValueError("set_image_data_format: expected 'channels_last' or 'channels_first', got '" + data_format + "'");
  }
  g_channels_first.store(data_format == "channels_first");
}

}  // namespace keras::config
