#include <keras/kernels/cuda/allocator.h>

#include <keras/core/errors.h>
#include <keras/kernels/cuda/cuda_context.h>

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace keras::kernels::cuda {

namespace {

constexpr size_t kSmallBlock = size_t{1} << 20;
constexpr size_t kSmallRound = 512;
// Copies larger than this skip the staging buffers (cudaMemcpyAsync stages pageable memory itself).
constexpr size_t kMaxStaged = size_t{64} << 20;
// Pinned memory is taken from the host's RAM for good: past this much, wait for a buffer instead.
constexpr size_t kMaxPinned = size_t{512} << 20;

std::string mib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// A pinned host buffer and the event recorded after the copy that last read it.
struct Staging {
  void* host = nullptr;
  size_t size = 0;
  cudaEvent_t done = nullptr;
};

struct DevicePool {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free;
  DeviceMemoryStats stats;
  std::vector<Staging> staging;
  size_t pinned_bytes = 0;

  // With the mutex held; cudaFree waits for the device, so no queued kernel still uses a block.
  void release_cached() {
    for (auto& [size, blocks] : free) {
      for (void* p : blocks) (void)cudaFree(p);
    }
    free.clear();
    stats.cached_bytes = 0;
  }
};

// Never destroyed: tensors held in statics are freed after every other static is gone.
DevicePool& pool(int device_index) {
  static std::mutex mutex;
  static auto* pools = new std::vector<std::unique_ptr<DevicePool>>();
  std::lock_guard lock(mutex);
  if (pools->empty()) pools->resize(static_cast<size_t>(device_count()));
  if (device_index < 0 || device_index >= static_cast<int>(pools->size())) set_device(device_index);  // throws
  auto& slot = (*pools)[static_cast<size_t>(device_index)];
  if (!slot) slot = std::make_unique<DevicePool>();
  return *slot;
}

}  // namespace

size_t allocation_bucket(size_t nbytes) {
  nbytes = std::max<size_t>(nbytes, 1);
  if (nbytes <= kSmallBlock) return (nbytes + kSmallRound - 1) / kSmallRound * kSmallRound;
  size_t power = kSmallBlock;
  while (power * 2 < nbytes) power *= 2;  // power < nbytes <= 2 * power
  const size_t step = power / 4;
  return (nbytes + step - 1) / step * step;
}

void* allocate(int device_index, size_t nbytes) {
  DevicePool& p = pool(device_index);
  const size_t size = allocation_bucket(nbytes);
  std::lock_guard lock(p.mutex);
  auto it = p.free.find(size);
  void* ptr = nullptr;
  if (it != p.free.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
    p.stats.cached_bytes -= size;
    ++p.stats.hits;
  } else {
    set_device(device_index);
    cudaError_t status = cudaMalloc(&ptr, size);
    if (status == cudaErrorMemoryAllocation && p.stats.cached_bytes > 0) {
      (void)cudaGetLastError();
      p.release_cached();
      status = cudaMalloc(&ptr, size);
    }
    if (status == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      size_t free_bytes = 0, total_bytes = 0;
      (void)cudaMemGetInfo(&free_bytes, &total_bytes);
      throw RuntimeError("CUDA out of memory on cuda:" + std::to_string(device_index) + ": tried to allocate " +
                         std::to_string(nbytes) + " bytes (" + mib(size) + " block); the device has " +
                         mib(free_bytes) + " free of " + mib(total_bytes) + ", of which keras-cpp holds " +
                         mib(p.stats.allocated_bytes) + " in tensors. Use a smaller batch or model");
    }
    if (status != cudaSuccess) throw_cuda_error(status, "cudaMalloc", __FILE__, __LINE__);
    ++p.stats.misses;
  }
  p.stats.allocated_bytes += size;
  p.stats.peak_allocated_bytes = std::max(p.stats.peak_allocated_bytes, p.stats.allocated_bytes);
  return ptr;
}

void deallocate(int device_index, void* data, size_t nbytes) noexcept {
  if (!data) return;
  try {
    DevicePool& p = pool(device_index);
    const size_t size = allocation_bucket(nbytes);
    std::lock_guard lock(p.mutex);
    p.free[size].push_back(data);
    p.stats.allocated_bytes -= std::min(size, p.stats.allocated_bytes);
    p.stats.cached_bytes += size;
  } catch (...) {
    // Only at teardown (the driver gone): the memory goes with the process.
  }
}

DeviceMemoryStats memory_stats(int device_index) {
  DevicePool& p = pool(device_index);
  std::lock_guard lock(p.mutex);
  return p.stats;
}

void empty_cache(int device_index) {
  DevicePool& p = pool(device_index);
  std::lock_guard lock(p.mutex);
  set_device(device_index);
  p.release_cached();
  std::vector<Staging> busy;
  for (Staging& s : p.staging) {
    if (cudaEventQuery(s.done) == cudaSuccess) {
      (void)cudaEventDestroy(s.done);
      (void)cudaFreeHost(s.host);
      p.pinned_bytes -= s.size;
    } else {
      (void)cudaGetLastError();  // cudaErrorNotReady is not sticky, but leaves the last error set
      busy.push_back(s);
    }
  }
  p.staging = std::move(busy);
}

namespace {

// Host to device through a pinned buffer: the memcpy into it is the only host-side wait, the DMA
// runs on the stream, and the buffer is reused once the event after its copy has passed.
void copy_host_to_device(void* dst, int device, const void* src, size_t nbytes) {
  cudaStream_t s = stream(device);
  if (nbytes > kMaxStaged) {
    KERAS_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyHostToDevice, s));
    return;
  }
  DevicePool& p = pool(device);
  std::lock_guard lock(p.mutex);
  Staging* chosen = nullptr;
  for (Staging& st : p.staging) {
    if (st.size < nbytes || (chosen && chosen->size <= st.size)) continue;
    const cudaError_t q = cudaEventQuery(st.done);
    if (q == cudaSuccess) {
      chosen = &st;
    } else if (q == cudaErrorNotReady) {
      (void)cudaGetLastError();
    } else {
      throw_cuda_error(q, "cudaEventQuery", __FILE__, __LINE__);
    }
  }
  if (!chosen && p.pinned_bytes + nbytes > kMaxPinned) {
    // At the pinned budget: wait for the queued copies, then any buffer big enough is free.
    KERAS_CUDA_CHECK(cudaStreamSynchronize(s));
    for (Staging& st : p.staging) {
      if (st.size >= nbytes && (!chosen || st.size < chosen->size)) chosen = &st;
    }
  }
  if (!chosen) {
    Staging fresh;
    fresh.size = std::max<size_t>(allocation_bucket(nbytes), 64 * 1024);
    KERAS_CUDA_CHECK(cudaHostAlloc(&fresh.host, fresh.size, cudaHostAllocDefault));
    const cudaError_t e = cudaEventCreateWithFlags(&fresh.done, cudaEventDisableTiming);
    if (e != cudaSuccess) {
      (void)cudaFreeHost(fresh.host);
      throw_cuda_error(e, "cudaEventCreateWithFlags", __FILE__, __LINE__);
    }
    p.pinned_bytes += fresh.size;
    p.staging.push_back(fresh);
    chosen = &p.staging.back();
  }
  std::memcpy(chosen->host, src, nbytes);
  KERAS_CUDA_CHECK(cudaMemcpyAsync(dst, chosen->host, nbytes, cudaMemcpyHostToDevice, s));
  KERAS_CUDA_CHECK(cudaEventRecord(chosen->done, s));
}

}  // namespace

void copy_bytes(void* dst, int dst_device, const void* src, int src_device, size_t nbytes) {
  if (nbytes == 0) return;
  if (src_device < 0 && dst_device < 0) {
    std::memcpy(dst, src, nbytes);
  } else if (src_device < 0) {
    set_device(dst_device);
    copy_host_to_device(dst, dst_device, src, nbytes);
  } else if (dst_device < 0) {
    set_device(src_device);
    cudaStream_t s = stream(src_device);
    KERAS_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, s));
    KERAS_CUDA_CHECK(cudaStreamSynchronize(s));
  } else if (src_device == dst_device) {
    set_device(src_device);
    KERAS_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, stream(src_device)));
  } else {
    // Two streams: dst's block may still be in use by dst's queued work, and dst's later work must
    // see the copy, so both sides wait (device-to-device moves are rare: model placement).
    synchronize(dst_device);
    set_device(src_device);
    cudaStream_t s = stream(src_device);
    KERAS_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_device, src, src_device, nbytes, s));
    KERAS_CUDA_CHECK(cudaStreamSynchronize(s));
  }
}

void synchronize(int device_index) {
  set_device(device_index);
  KERAS_CUDA_CHECK(cudaStreamSynchronize(stream(device_index)));
}

}  // namespace keras::kernels::cuda
