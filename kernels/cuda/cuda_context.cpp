#include <keras/core/errors.h>
#include <keras/kernels/cuda/cuda_context.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace keras::kernels::cuda {

namespace {

// One device's handles, made on first use and kept for the process (destroying them at exit races
// the driver's own teardown, as PyTorch found; the OS reclaims them).
struct DeviceState {
  cudaStream_t stream = nullptr;
  cublasLtHandle_t cublaslt = nullptr;
  cudnnHandle_t cudnn = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
};

std::mutex& state_mutex() {
  static std::mutex mutex;
  return mutex;
}

DeviceState& state(int device_index) {
  static std::vector<std::unique_ptr<DeviceState>> states(static_cast<size_t>(device_count()));
  if (device_index < 0 || device_index >= static_cast<int>(states.size())) set_device(device_index);  // throws
  std::unique_ptr<DeviceState>& slot = states[static_cast<size_t>(device_index)];
  if (!slot) {
    set_device(device_index);
    auto fresh = std::make_unique<DeviceState>();
    KERAS_CUDA_CHECK(cudaStreamCreateWithFlags(&fresh->stream, cudaStreamNonBlocking));
    KERAS_CUBLAS_CHECK(cublasLtCreate(&fresh->cublaslt));
    KERAS_CUDNN_CHECK(cudnnCreate(&fresh->cudnn));
    KERAS_CUDNN_CHECK(cudnnSetStream(fresh->cudnn, fresh->stream));
    slot = std::move(fresh);
  }
  return *slot;
}

}  // namespace

int device_count() {
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      (void)cudaGetLastError();  // no driver or no GPU: clear the sticky error, report none
      return 0;
    }
    return n;
  }();
  return count;
}

void set_device(int device_index) {
  const int count = device_count();
  if (device_index < 0 || device_index >= count) {
    throw RuntimeError("Device 'cuda:" + std::to_string(device_index) + "' is not available: this machine has " +
                       (count == 0 ? std::string("no CUDA GPU (or no driver)")
                                   : std::to_string(count) + " CUDA device(s), cuda:0 to cuda:" + std::to_string(count - 1)));
  }
  KERAS_CUDA_CHECK(cudaSetDevice(device_index));
}

cudaStream_t stream(int device_index) {
  std::lock_guard lock(state_mutex());
  return state(device_index).stream;
}

cublasLtHandle_t cublaslt(int device_index) {
  std::lock_guard lock(state_mutex());
  return state(device_index).cublaslt;
}

cudnnHandle_t cudnn(int device_index) {
  std::lock_guard lock(state_mutex());
  return state(device_index).cudnn;
}

void* workspace(int device_index, size_t bytes) {
  std::lock_guard lock(state_mutex());
  DeviceState& s = state(device_index);
  if (bytes > s.workspace_bytes) {
    set_device(device_index);
    if (s.workspace) KERAS_CUDA_CHECK(cudaFreeAsync(s.workspace, s.stream));
    s.workspace = nullptr;
    s.workspace_bytes = 0;
    KERAS_CUDA_CHECK(cudaMallocAsync(&s.workspace, bytes, s.stream));
    s.workspace_bytes = bytes;
  }
  return s.workspace;
}

void throw_cuda_error(cudaError_t status, const char* expr, const char* file, int line) {
  throw RuntimeError(std::string("CUDA error ") + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) +
                     ") in " + expr + " at " + file + ":" + std::to_string(line));
}

void throw_cublas_error(cublasStatus_t status, const char* expr, const char* file, int line) {
  throw RuntimeError("cuBLAS error " + std::to_string(static_cast<int>(status)) + " in " + expr + " at " + file + ":" +
                     std::to_string(line));
}

void throw_cudnn_error(cudnnStatus_t status, const char* expr, const char* file, int line) {
  throw RuntimeError(std::string("cuDNN error ") + cudnnGetErrorString(status) + " in " + expr + " at " + file + ":" +
                     std::to_string(line));
}

}  // namespace keras::kernels::cuda
