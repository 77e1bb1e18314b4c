// matmul on cuBLASLt. Row-major dst = src @ weights is column-major dst^T = weights^T @ src^T, so
// weights is cuBLASLt's A and src its B, and the bias (one per column of dst, per row of dst^T) is
// cuBLASLt's BIAS epilogue. The relu runs as a kernel after it: cuBLASLt's RELU epilogue is
// max(x, 0), which turns NaN into 0 where ops::relu keeps it. Descriptors and the heuristic's
// algorithm are made once per shape, dtype, alignment and TF32 setting, and cached.
#include <keras/kernels/cuda/cuda_context.h>
#include <keras/kernels/cuda/cuda_kernels.h>
#include <keras/kernels/cuda/dnn_launch.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

namespace keras::kernels::cuda {

using namespace dnn;  // NOLINT(google-build-using-namespace): this backend's own helpers

namespace {

std::atomic<bool> tf32_allowed{true};

// cuBLASLt's heuristics pick among kernels that fit this much scratch (its recommended 32 MiB on Hopper).
constexpr size_t kMaxWorkspace = size_t{32} << 20;

cudaDataType_t data_type(DType dtype) {
  switch (dtype) {
    case DType::float32: return CUDA_R_32F;
    case DType::float64: return CUDA_R_64F;
    case DType::float16: return CUDA_R_16F;
    case DType::bfloat16: return CUDA_R_16BF;
    default:
      throw NotImplementedError("matmul on CUDA: float32, float64, float16 and bfloat16 only, got " +
                                std::string(dtype_name(dtype)));
  }
}

// The largest power of two (up to 256) dividing `bytes`.
uint32_t alignment(uint64_t bytes) {
  uint32_t a = 256;
  while (a > 1 && bytes % a != 0) a /= 2;
  return a;
}

struct Call {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;
  bool fused_bias = false;
};

void set_batch(cublasLtMatrixLayout_t layout, int32_t count, int64_t stride) {
  KERAS_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count));
  KERAS_CUBLAS_CHECK(
      cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof stride));
}

struct CallShape {
  DType dtype;
  int64_t m, k, n;
  bool transpose_src, transpose_weights;
  int32_t count;
  int64_t src_stride, weights_stride;
  uint32_t align_src, align_weights, align_dst, align_bias;
  bool bias;
};

// Tries the heuristic with, then without, the bias epilogue; throws when neither has an algorithm.
Call make_call(const CallShape& c, cublasLtHandle_t handle) {
  const cudaDataType_t type = data_type(c.dtype);
  const bool f64 = c.dtype == DType::float64;
  const cublasComputeType_t compute = f64                                                    ? CUBLAS_COMPUTE_64F
                                      : c.dtype == DType::float32 && tf32_allowed.load() ? CUBLAS_COMPUTE_32F_FAST_TF32
                                                                                             : CUBLAS_COMPUTE_32F;
  Call call;
  const uint64_t rows_a = c.transpose_weights ? c.k : c.n, cols_a = c.transpose_weights ? c.n : c.k;
  const uint64_t rows_b = c.transpose_src ? c.m : c.k, cols_b = c.transpose_src ? c.k : c.m;
  KERAS_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&call.a, type, rows_a, cols_a, static_cast<int64_t>(rows_a)));
  KERAS_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&call.b, type, rows_b, cols_b, static_cast<int64_t>(rows_b)));
  KERAS_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&call.d, type, static_cast<uint64_t>(c.n), static_cast<uint64_t>(c.m), c.n));
  if (c.count > 1) {
    set_batch(call.a, c.count, c.weights_stride);
    set_batch(call.b, c.count, c.src_stride);
    set_batch(call.d, c.count, c.m * c.n);
  }
  KERAS_CUBLAS_CHECK(cublasLtMatmulDescCreate(&call.op, compute, f64 ? CUDA_R_64F : CUDA_R_32F));
  const cublasOperation_t ta = c.transpose_weights ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t tb = c.transpose_src ? CUBLAS_OP_T : CUBLAS_OP_N;
  KERAS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
  KERAS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));

  cublasLtMatmulPreference_t pref = nullptr;
  KERAS_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  const uint64_t max_workspace = kMaxWorkspace;
  KERAS_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                          &max_workspace, sizeof max_workspace));
  const std::pair<cublasLtMatmulPreferenceAttributes_t, uint32_t> aligns[] = {
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, c.align_weights},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, c.align_src},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, c.align_dst},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, c.align_dst}};
  for (const auto& [attr, value] : aligns) {
    KERAS_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, attr, &value, sizeof value));
  }
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  for (bool epilogue : {true, false}) {
    if (epilogue && (!c.bias || c.align_bias < 16)) continue;
    const cublasLtEpilogue_t e = epilogue ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
    KERAS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &e, sizeof e));
    found = 0;
    const cublasStatus_t status =
        cublasLtMatmulAlgoGetHeuristic(handle, call.op, call.a, call.b, call.d, call.d, pref, 1, &result, &found);
    if (status == CUBLAS_STATUS_SUCCESS && found > 0) {
      call.fused_bias = epilogue;
      break;
    }
    // Without the epilogue is the last try: its errors are real ones.
    if (!epilogue && status != CUBLAS_STATUS_SUCCESS && status != CUBLAS_STATUS_NOT_SUPPORTED) {
      KERAS_CUBLAS_CHECK(status);
    }
  }
  KERAS_CUBLAS_CHECK(cublasLtMatmulPreferenceDestroy(pref));
  if (found == 0) {
    throw RuntimeError("matmul: cuBLASLt has no algorithm for (" + std::to_string(c.m) + ", " + std::to_string(c.k) +
                       ") @ (" + std::to_string(c.k) + ", " + std::to_string(c.n) + ") in " +
                       std::string(dtype_name(c.dtype)));
  }
  call.algo = result.algo;
  call.workspace = result.workspaceSize;
  return call;
}

std::string key_of(const CallShape& c, int device) {
  std::string key(sizeof c + sizeof device + 1, '\0');
  CallShape copy{};
  std::memset(&copy, 0, sizeof copy);  // no padding bytes of garbage in the key
  copy = c;
  std::memcpy(key.data(), &copy, sizeof copy);
  std::memcpy(key.data() + sizeof copy, &device, sizeof device);
  key.back() = tf32_allowed.load() ? '1' : '0';
  return key;
}

// Strides (in elements) of each batch axis of a dense operand of `dims` (batch..., r, c) as seen
// from dst's batch axes: 0 where the operand broadcasts.
std::vector<int64_t> batch_strides(const std::vector<int64_t>& dims, int64_t matrix) {
  std::vector<int64_t> s(dims.size());
  int64_t step = matrix;
  for (size_t i = dims.size(); i-- > 0;) {
    s[i] = dims[i] == 1 ? 0 : step;
    step *= dims[i];
  }
  return s;
}

}  // namespace

void set_allow_tf32(bool allow) { tf32_allowed.store(allow); }
bool allow_tf32() { return tf32_allowed.load(); }

Tensor matmul(const MatmulArgs& a) {
  const Device device = a.src.device();
  cudaStream_t s = prepare(device, "matmul");
  const DType dtype = a.src.dtype();
  if (a.src.rank() < 2 || a.src.rank() != a.weights.rank() || a.weights.dtype() != dtype) {
    throw ValueError("matmul kernel: expected operands of equal rank >= 2 and dtype, got " + a.src.shape().str() +
                     " and " + a.weights.shape().str());
  }
  if (a.weights.device() != device || (a.bias.defined() && (a.bias.device() != device || a.bias.dtype() != dtype))) {
    throw ValueError("matmul kernel: weights and bias must be on " + device.str() + " with dtype " +
                     std::string(dtype_name(dtype)));
  }
  data_type(dtype);  // throws for the dtypes cuBLASLt is not asked to do
  const auto& sd = a.src.shape().dims();
  const auto& wd = a.weights.shape().dims();
  const size_t r = sd.size();
  const int64_t m = a.transpose_src ? sd[r - 1] : sd[r - 2];
  const int64_t k = a.transpose_src ? sd[r - 2] : sd[r - 1];
  const int64_t kw = a.transpose_weights ? wd[r - 1] : wd[r - 2];
  const int64_t n = a.transpose_weights ? wd[r - 2] : wd[r - 1];
  if (kw != k) throw ValueError("matmul: inner dimensions differ: " + a.src.shape().str() + " and " + a.weights.shape().str());
  std::vector<int64_t> batch, src_batch(sd.begin(), sd.end() - 2), wei_batch(wd.begin(), wd.end() - 2);
  for (size_t i = 0; i + 2 < r; ++i) {
    if (sd[i] != wd[i] && sd[i] != 1 && wd[i] != 1) {
      throw ValueError("matmul: batch dimensions do not broadcast: " + a.src.shape().str() + " and " +
                       a.weights.shape().str());
    }
    batch.push_back(sd[i] == 1 ? wd[i] : sd[i]);
  }
  if (a.bias.defined() && a.bias.shape() != Shape{n}) {
    throw ValueError("matmul kernel: bias has shape " + a.bias.shape().str() + ", expected (" + std::to_string(n) + ",)");
  }
  std::vector<int64_t> dims = batch;
  dims.push_back(m);
  dims.push_back(n);
  Tensor dst = Tensor::empty(Shape(dims), dtype, device);
  if (dst.size() == 0) return dst;
  const int64_t batches = dst.size() / (m * n);
  if (k == 0) {
    KERAS_CUDA_CHECK(cudaMemsetAsync(dst.mutable_data(), 0, dst.nbytes(), s));
    bias_relu(dst.mutable_data(), a.bias.defined() ? a.bias.data() : nullptr, dtype, batches * m, n, 1, a.relu, s);
    return dst;
  }

  // The longest run of trailing batch axes over which each operand either moves by whole matrices
  // or broadcasts goes to one strided-batched call; the axes before it are looped over here.
  const std::vector<int64_t> ss = batch_strides(src_batch, m * k), ws = batch_strides(wei_batch, k * n);
  size_t split = batch.size();
  int64_t count = 1;
  int64_t src_step = 0, wei_step = 0;
  while (split > 0) {
    const size_t i = split - 1;
    if (batch[i] == 1) {
      --split;
      continue;
    }
    const int64_t want_s = ss[i] == 0 ? 0 : m * k * count, want_w = ws[i] == 0 ? 0 : k * n * count;
    const bool first = count == 1;
    const bool uniform = first || ((ss[i] == 0) == (src_step == 0) && (ws[i] == 0) == (wei_step == 0) &&
                                   (ss[i] == 0 || ss[i] == want_s) && (ws[i] == 0 || ws[i] == want_w));
    if (!uniform || count * batch[i] > INT32_MAX) break;
    if (first) {
      src_step = ss[i] == 0 ? 0 : m * k;
      wei_step = ws[i] == 0 ? 0 : k * n;
    }
    count *= batch[i];
    --split;
  }
  const size_t es = dtype_size(dtype);
  const auto align_of = [&](const void* p, int64_t matrix) {
    return std::min(alignment(reinterpret_cast<uint64_t>(p)), alignment(static_cast<uint64_t>(matrix) * es));
  };
  CallShape c{};
  std::memset(&c, 0, sizeof c);
  c.dtype = dtype;
  c.m = m;
  c.k = k;
  c.n = n;
  c.transpose_src = a.transpose_src;
  c.transpose_weights = a.transpose_weights;
  c.count = static_cast<int32_t>(count);
  c.src_stride = src_step;
  c.weights_stride = wei_step;
  c.align_src = align_of(a.src.data(), m * k);
  c.align_weights = align_of(a.weights.data(), k * n);
  c.align_dst = align_of(dst.data(), m * n);
  c.align_bias = a.bias.defined() ? alignment(reinterpret_cast<uint64_t>(a.bias.data())) : 0;
  c.bias = a.bias.defined();

  static std::mutex mutex;
  static std::unordered_map<std::string, Call> cache;
  const cublasLtHandle_t handle = cublaslt(device.index);
  std::lock_guard lock(mutex);  // the cached descriptor's bias pointer is set per call
  auto it = cache.find(key_of(c, device.index));
  if (it == cache.end()) it = cache.emplace(key_of(c, device.index), make_call(c, handle)).first;
  const Call& call = it->second;
  if (call.fused_bias) {
    const void* bias = a.bias.data();
    KERAS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias));
  }
  void* work = call.workspace > 0 ? workspace(device.index, call.workspace) : nullptr;
  const double alpha64 = 1.0, beta64 = 0.0;
  const float alpha32 = 1.0f, beta32 = 0.0f;
  const void* alpha = dtype == DType::float64 ? static_cast<const void*>(&alpha64) : &alpha32;
  const void* beta = dtype == DType::float64 ? static_cast<const void*>(&beta64) : &beta32;
  // The looped (leading) batch axes: offsets of each operand for every index over batch[0, split).
  int64_t outer = 1;
  for (size_t i = 0; i < split; ++i) outer *= batch[i];
  const char* src_base = static_cast<const char*>(a.src.data());
  const char* wei_base = static_cast<const char*>(a.weights.data());
  char* dst_base = static_cast<char*>(dst.mutable_data());
  for (int64_t o = 0; o < outer; ++o) {
    int64_t rest = o, so = 0, wo = 0;
    for (size_t i = split; i-- > 0;) {
      const int64_t idx = rest % batch[i];
      rest /= batch[i];
      so += idx * ss[i];
      wo += idx * ws[i];
    }
    KERAS_CUBLAS_CHECK(cublasLtMatmul(handle, call.op, alpha, wei_base + wo * static_cast<int64_t>(es), call.a,
                                      src_base + so * static_cast<int64_t>(es), call.b, beta,
                                      dst_base + o * count * m * n * static_cast<int64_t>(es), call.d,
                                      dst_base + o * count * m * n * static_cast<int64_t>(es), call.d, &call.algo, work,
                                      call.workspace, s));
  }
  const bool bias_left = a.bias.defined() && !call.fused_bias;
  if (bias_left || a.relu) {
    bias_relu(dst.mutable_data(), bias_left ? a.bias.data() : nullptr, dtype, batches * m, n, 1, a.relu, s);
  }
  return dst;
}

}  // namespace keras::kernels::cuda
