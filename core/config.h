#pragma once
/// keras.config: process-wide defaults that layers and ops read when an argument is left unset.
#include <string>

namespace keras::config {

/// "channels_last" (the default) or "channels_first": the layout image layers and ops assume when
/// their data_format is unset, as keras.config.image_data_format().
std::string image_data_format();
/// Sets the default image layout; anything but "channels_last"/"channels_first" is a ValueError.
void set_image_data_format(const std::string& data_format);

}  // namespace keras::config
