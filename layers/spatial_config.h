#pragma once
// Reading and writing the int-or-tuple arguments of pooling, padding, cropping and upsampling layers
// in their configs (internal to layers/).
#include <keras/core/errors.h>
#include <keras/core/ops/manipulation.h>
#include <keras/core/shape.h>
#include <keras/layers/config.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace keras::layers::detail {

/// An int or a list of ints (Keras writes tuples as lists); ValueError naming `who` and `key` otherwise.
inline std::vector<int64_t> ints_from_config(const Config& value, const std::string& who, const std::string& key) {
  if (value.is_number_integer()) return {value.get<int64_t>()};
  std::vector<int64_t> out;
  if (value.is_array()) {
    for (const auto& v : value) {
      if (!v.is_number_integer()) {
        out.clear();
        break;
      }
      out.push_back(v.get<int64_t>());
    }
    if (!out.empty() || value.empty()) return out;
  }
  throw ValueError(who + " config: '" + key + "' must be an int or a list of ints, got " + value.dump());
}

/// An int, a list of ints (one per axis, symmetric) or a list of [before, after] pairs, as Keras's
/// ZeroPadding and Cropping arguments; returns one pair per axis.
inline std::vector<std::pair<int64_t, int64_t>> pairs_from_config(const Config& value, size_t axes,
                                                                  const std::string& who, const std::string& key) {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (value.is_number_integer()) return std::vector<std::pair<int64_t, int64_t>>(axes, {value.get<int64_t>(), value.get<int64_t>()});
  if (value.is_array() && value.size() == axes) {
    for (const auto& v : value) {
      if (v.is_number_integer()) {
        out.emplace_back(v.get<int64_t>(), v.get<int64_t>());
      } else if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer()) {
        out.emplace_back(v[0].get<int64_t>(), v[1].get<int64_t>());
      } else {
        break;
      }
    }
    if (out.size() == axes) return out;
  }
  // Keras's 1-D layers take one (before, after) pair as a flat list.
  if (axes == 1 && value.is_array() && value.size() == 2 && value[0].is_number_integer() && value[1].is_number_integer()) {
    return {{value[0].get<int64_t>(), value[1].get<int64_t>()}};
  }
  throw ValueError(who + " config: '" + key + "' must be an int, " + std::to_string(axes) +
                   " ints or " + std::to_string(axes) + " pairs of ints, got " + value.dump());
}

/// Pairs as Keras's get_config writes them: [[a, b], ...], or [a, b] for a single axis.
inline Config pairs_to_config(const std::vector<std::pair<int64_t, int64_t>>& pairs) {
  if (pairs.size() == 1) return Config::array({pairs[0].first, pairs[0].second});
  Config out = Config::array();
  for (const auto& [a, b] : pairs) out.push_back(Config::array({a, b}));
  return out;
}

/// An optional string entry ("" when absent or null); ValueError when it is not a string.
inline std::string string_from_config(const Config& config, const std::string& who, const std::string& key) {
  if (!config.contains(key) || config[key].is_null()) return {};
  if (!config[key].is_string()) throw ValueError(who + " config: '" + key + "' must be a string, got " + config[key].dump());
  return config[key].get<std::string>();
}

/// The axis of spatial axis `i` in a tensor of `rank`: after the batch (channels_last) or after the channels.
inline int64_t spatial_axis(size_t i, int64_t rank, bool channels_last) {
  (void)rank;
  return static_cast<int64_t>(i) + (channels_last ? 1 : 2);
}

/// Per-spatial-axis (before, after) pairs extended with (0, 0) for the batch and channels axes.
inline std::vector<std::pair<int64_t, int64_t>> all_axes(const std::vector<std::pair<int64_t, int64_t>>& spatial,
                                                         int64_t rank, bool channels_last) {
  std::vector<std::pair<int64_t, int64_t>> out(static_cast<size_t>(rank), {0, 0});
  for (size_t i = 0; i < spatial.size(); ++i) out[static_cast<size_t>(spatial_axis(i, rank, channels_last))] = spatial[i];
  return out;
}

/// The shape after Cropping: each known spatial axis shrinks by its two croppings; Keras's ValueError
/// when nothing would be left.
inline Shape cropped_shape(const Shape& input_shape, const std::vector<std::pair<int64_t, int64_t>>& cropping,
                           bool channels_last) {
  Shape out = input_shape;
  for (size_t i = 0; i < cropping.size(); ++i) {
    const int64_t axis = spatial_axis(i, input_shape.rank(), channels_last);
    if (out[axis] == None) continue;
    out[axis] -= cropping[i].first + cropping[i].second;
    if (out[axis] <= 0) {
      throw ValueError("Values in `cropping` argument should be smaller than the corresponding spatial dimension of "
                       "the input. Received: input_shape=" + input_shape.str() + ", cropping=" +
                       pairs_to_config(cropping).dump());
    }
  }
  return out;
}

/// Cropping's call: one slice starting at each axis's leading cropping.
inline Tensor crop(const Tensor& inputs, const std::vector<std::pair<int64_t, int64_t>>& cropping, bool channels_last) {
  const Shape out = cropped_shape(inputs.shape(), cropping, channels_last);
  std::vector<int64_t> starts(static_cast<size_t>(inputs.rank()), 0);
  for (size_t i = 0; i < cropping.size(); ++i) {
    starts[static_cast<size_t>(spatial_axis(i, inputs.rank(), channels_last))] = cropping[i].first;
  }
  return ops::slice(inputs, starts, out.dims());
}

/// The shape after ZeroPadding: each known spatial axis grows by its two paddings.
inline Shape padded_shape(const Shape& input_shape, const std::vector<std::pair<int64_t, int64_t>>& padding,
                          bool channels_last) {
  Shape out = input_shape;
  for (size_t i = 0; i < padding.size(); ++i) {
    const int64_t axis = spatial_axis(i, input_shape.rank(), channels_last);
    if (out[axis] != None) out[axis] += padding[i].first + padding[i].second;
  }
  return out;
}

}  // namespace keras::layers::detail
