#include <keras/core/device.h>
#include <keras/core/device_scope.h>

#include <keras/core/errors.h>
#include <keras/kernels/device_memory.h>

#include <charconv>

namespace keras {

Device::Device(std::string_view spec) {
  if (spec == "cpu" || spec == "CPU" || spec == "cpu:0") return;
  std::string_view rest;
  if (spec.starts_with("cuda")) {
    rest = spec.substr(4);
  } else if (spec.starts_with("gpu") || spec.starts_with("GPU")) {
    rest = spec.substr(3);
  } else {
    throw ValueError("Invalid device '" + std::string(spec) + "'. Expected 'cpu', 'cuda' or 'cuda:N'");
  }
  type = Type::cuda;
  if (rest.empty()) return;
  if (rest[0] != ':' || rest.size() < 2) {
    throw ValueError("Invalid device '" + std::string(spec) + "'. Expected 'cuda:N' with N a device index");
  }
  auto [ptr, ec] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), index);
  if (ec != std::errc() || ptr != rest.data() + rest.size() || index < 0) {
    throw ValueError("Invalid device '" + std::string(spec) + "'. Expected 'cuda:N' with N a device index");
  }
}

Device Device::cuda(int index) {
  Device d;
  d.type = Type::cuda;
  d.index = index;
  return d;
}

std::string Device::str() const {
  return type == Type::cpu ? "cpu" : "cuda:" + std::to_string(index);
}

void check_device_available(const Device& device) {
  if (device.is_cpu()) return;
  if (!kernels::cuda_backend_built()) {
    throw RuntimeError("Device '" + device.str() +
                       "' is not available: this build of keras-cpp has no CUDA backend. "
                       "Use Device(\"cpu\"), or rebuild with the CUDA toolkit and cuDNN installed");
  }
  const int count = kernels::cuda_device_count();
  if (device.index >= count) {
    throw RuntimeError("Device '" + device.str() + "' is not available: " +
                       (count == 0 ? std::string("this machine has no CUDA GPU (or no NVIDIA driver)")
                                   : "this machine has " + std::to_string(count) + " CUDA device(s), cuda:0 to cuda:" +
                                         std::to_string(count - 1)));
  }
}

namespace {
thread_local Device current_default;
}  // namespace

Device default_device() { return current_default; }

DeviceScope::DeviceScope(Device device) : previous_(current_default) {
  check_device_available(device);
  current_default = device;
}

DeviceScope::~DeviceScope() { current_default = previous_; }

}  // namespace keras
