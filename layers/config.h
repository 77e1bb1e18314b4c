#pragma once
#include <nlohmann/json_fwd.hpp>

namespace keras {

/// A layer's or model's configuration: JSON with Keras's key order kept (Keras 3's get_config()).
using Config = nlohmann::ordered_json;

}  // namespace keras
