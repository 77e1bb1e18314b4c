#pragma once
// Device memory for CUDA tensors: a caching allocator per device (PyTorch's design, simplified).
// Requests are rounded up to size buckets; a freed block waits in its bucket's free list for the
// next request of that size. All work of a device runs on its one stream (cuda_context.h), so a
// block freed there may be handed out again at once: later work on the stream runs after the
// earlier work that used it. Host-to-device copies go through pinned staging buffers.
#include <keras/kernels/device_memory.h>

#include <cstddef>

namespace keras::kernels::cuda {

/// The bucket a request of `nbytes` is served from: multiples of 512 bytes up to 1 MiB, then four
/// steps per power of two (at most 25% unused).
size_t allocation_bucket(size_t nbytes);
/// At least `nbytes` on `device_index`; on out-of-memory frees the cache and retries, then throws
/// RuntimeError naming the request and the device's free and total memory.
void* allocate(int device_index, size_t nbytes);
/// Puts a block from allocate() back in its bucket; never throws.
void deallocate(int device_index, void* data, size_t nbytes) noexcept;
DeviceMemoryStats memory_stats(int device_index);
/// Frees the cached blocks and idle pinned staging buffers of `device_index`.
void empty_cache(int device_index);

/// Copies `nbytes`; a device index of -1 stands for the host. Host to device is asynchronous
/// (through a pinned staging buffer on the device's stream); anything to the host returns when done.
void copy_bytes(void* dst, int dst_device, const void* src, int src_device, size_t nbytes);
/// Waits for the work queued on the stream of `device_index`.
void synchronize(int device_index);

}  // namespace keras::kernels::cuda
