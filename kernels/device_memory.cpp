// Routes device memory and transfers to the CUDA backend when it is built (kernels/cuda/allocator.h).
#include <keras/kernels/device_memory.h>

#include <keras/core/errors.h>

#include <cstring>

#ifdef KERAS_WITH_CUDA
#include <keras/kernels/cuda/allocator.h>
#include <keras/kernels/cuda/cuda_context.h>
#endif

namespace keras::kernels {

#ifdef KERAS_WITH_CUDA

bool cuda_backend_built() { return true; }
int cuda_device_count() { return cuda::device_count(); }

void* device_allocate(Device device, size_t nbytes) { return cuda::allocate(device.index, nbytes); }

void device_deallocate(Device device, void* data, size_t nbytes) noexcept { cuda::deallocate(device.index, data, nbytes); }

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, nbytes);
    return;
  }
  cuda::copy_bytes(dst, dst_device.is_cpu() ? -1 : dst_device.index, src, src_device.is_cpu() ? -1 : src_device.index,
                   nbytes);
}

void synchronize(Device device) {
  if (!device.is_cpu()) cuda::synchronize(device.index);
}

DeviceMemoryStats device_memory_stats(Device device) {
  return device.is_cpu() ? DeviceMemoryStats{} : cuda::memory_stats(device.index);
}

void device_empty_cache(Device device) {
  if (!device.is_cpu()) cuda::empty_cache(device.index);
}

#else

bool cuda_backend_built() { return false; }
int cuda_device_count() { return 0; }

// Unreachable through Tensor (Storage::allocate checks the device first); says why when called directly.
void* device_allocate(Device device, size_t /*nbytes*/) {
  check_device_available(device);
  throw RuntimeError("device_allocate: " + device.str() + " is not a device with memory of its own");
}

void device_deallocate(Device /*device*/, void* /*data*/, size_t /*nbytes*/) noexcept {}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  check_device_available(dst_device);
  check_device_available(src_device);
  std::memcpy(dst, src, nbytes);
}

void synchronize(Device /*device*/) {}

DeviceMemoryStats device_memory_stats(Device device) {
  check_device_available(device);
  return {};
}

void device_empty_cache(Device /*device*/) {}

#endif

}  // namespace keras::kernels
