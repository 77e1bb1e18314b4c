#pragma once
#include <keras/callbacks/callback.h>
#include <keras/core/repr.h>

#include <optional>
#include <string>

/// What the monitoring callbacks share: Python's number and warning formats, and Keras's
/// direction of a compiled metric.
namespace keras::callbacks::detail {

using keras::float_repr;
/// Python's warnings.warn: "UserWarning: <message>" on stderr.
void warn(const std::string& message);
/// Keras's metric._direction for the compiled metric of `model` called `name`: true ("up") or
/// false ("down"); empty when there is no such metric or its class has no direction.
std::optional<bool> metric_direction_up(const Model& model, const std::string& name);
/// Keras's MonitorCallback._set_monitor_op: whether `monitor` is minimised under `mode` ("min",
/// "max" or "auto": "loss" and metrics whose direction is down minimise); empty when undecidable.
std::optional<bool> monitor_minimizes(const Model& model, const std::string& mode, const std::string& monitor);

}  // namespace keras::callbacks::detail
