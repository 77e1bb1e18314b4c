#pragma once
// Device memory and transfers, backend-neutral: core/ reaches the CUDA backend only through these
// (it never includes CUDA headers). Without the CUDA backend they report no devices and refuse.
#include <keras/core/device.h>

#include <cstddef>
#include <cstdint>

namespace keras::kernels {

/// True when this build has the CUDA backend (whether or not this machine has a GPU).
bool cuda_backend_built();
/// CUDA devices this process can use: 0 without the CUDA backend, a driver or a GPU. Never throws.
int cuda_device_count();

/// At least `nbytes` of memory on a CUDA `device`, from its caching allocator; RuntimeError on
/// out-of-memory naming the request and what the device has free.
void* device_allocate(Device device, size_t nbytes);
/// Returns a block from device_allocate to the cache (stream-ordered: reused only by later work on
/// the device's stream). Never throws.
void device_deallocate(Device device, void* data, size_t nbytes) noexcept;

/// Copies `nbytes` between buffers on any devices. Host-to-device copies are asynchronous (staged
/// through pinned memory, ordered on the device's stream); a copy to the host returns when done.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);
/// Waits until all work queued on `device` has finished (nothing to do on the cpu).
void synchronize(Device device);

/// What a device's caching allocator holds (all zero for the cpu).
struct DeviceMemoryStats {
  size_t allocated_bytes = 0;  // in live tensors
  size_t cached_bytes = 0;     // freed blocks kept for reuse
  size_t peak_allocated_bytes = 0;
  uint64_t hits = 0;           // requests served from the cache
  uint64_t misses = 0;         // requests that went to the driver
};
DeviceMemoryStats device_memory_stats(Device device);
/// Gives a device's cached blocks (and pinned staging buffers) back to the driver.
void device_empty_cache(Device device);

}  // namespace keras::kernels
