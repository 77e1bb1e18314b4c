#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace keras {

/// Where a tensor lives: "cpu" or "cuda:N" (as tf.device / torch.device spell it).
struct Device {
  enum class Type : uint8_t { cpu, cuda };
  Type type = Type::cpu;
  int index = 0;

  Device() = default;
  /// Parses "cpu", "cuda", "cuda:1", "gpu:0"; throws ValueError on anything else.
  Device(std::string_view spec);  // NOLINT(google-explicit-constructor): Device("cuda:0") reads like Keras
  Device(const char* spec) : Device(std::string_view(spec)) {}
  static Device cpu() { return {}; }
  static Device cuda(int index = 0);

  bool is_cpu() const { return type == Type::cpu; }
  std::string str() const;
  bool operator==(const Device&) const = default;
};

/// Throws RuntimeError when `device` has no backend in this build or on this machine.
void check_device_available(const Device& device);

}  // namespace keras
