#pragma once
// The default device of tensor creation, as `with tf.device("cuda:0"):` sets it.
#include <keras/core/device.h>

namespace keras {

/// The device creation ops (zeros, ones, full, arange, random ...) and new layer weights use: the
/// innermost live DeviceScope's on this thread, else the cpu.
Device default_device();

/// Makes `device` this thread's default device while it lives, as `with tf.device("cuda:0"):` does;
/// scopes nest. Inside one, assigning a value on its device to a Variable moves the Variable there
/// (Model::to and fit keep optimizer and metric state beside the weights this way). Throws
/// RuntimeError at once when the device is not available.
class DeviceScope {
 public:
  explicit DeviceScope(Device device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  Device previous_;
};

}  // namespace keras
