#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/loops.h>

#include <cmath>
#include <limits>

namespace keras::kernels::cpu {

namespace {

// softmax over the middle axis of a dense (outer, r, inner) view.
template <class T>
void softmax_middle(const T* src, T* dst, int64_t outer, int64_t r, int64_t inner, bool log) {
  parallel_for(outer * inner, 4 * r, [&](int64_t b, int64_t e) {
    for (int64_t idx = b; idx < e; ++idx) {
      const int64_t o = idx / inner, j = idx % inner;
      const T* s = src + o * r * inner + j;
      T* d = dst + o * r * inner + j;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < r; ++i) m = std::max(m, s[i * inner]);
      if (!std::isfinite(m)) m = 0;
      T sum = 0;
      for (int64_t i = 0; i < r; ++i) {
        const T v = std::exp(s[i * inner] - m);
        sum += v;
        if (!log) d[i * inner] = v;
      }
      if (log) {
        const T lse = m + std::log(sum);
        for (int64_t i = 0; i < r; ++i) d[i * inner] = s[i * inner] - lse;
      } else {
        const T inv = T{1} / sum;
        for (int64_t i = 0; i < r; ++i) d[i * inner] *= inv;
      }
    }
  });
}

}  // namespace

Tensor softmax(const Tensor& src, int64_t axis, bool log) {
  if (src.dtype() != DType::float32 && src.dtype() != DType::float64) {
    return cast(softmax(cast(src, DType::float32), axis, log), src.dtype());
  }
  const auto& sd = src.shape().dims();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= sd[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < sd.size(); ++d) inner *= sd[d];
  const int64_t r = sd.empty() ? 1 : sd[static_cast<size_t>(axis)];
  Tensor dst = Tensor::empty(src.shape(), src.dtype(), src.device());
  if (src.dtype() == DType::float32) {
    softmax_middle(src.data<float>(), dst.mutable_data<float>(), outer, r, inner, log);
  } else {
    softmax_middle(src.data<double>(), dst.mutable_data<double>(), outer, r, inner, log);
  }
  return dst;
}

}  // namespace keras::kernels::cpu
