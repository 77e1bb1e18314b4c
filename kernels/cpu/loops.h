#pragma once
// Loop helpers shared by the CPU kernels: parallel ranges and NumPy-broadcast iteration.
#include <keras/core/shape.h>

#include <omp.h>

#include <array>
#include <cstdint>
#include <vector>

namespace keras::kernels::cpu {

/// Below this many elements a loop stays on one thread: OpenMP's fork costs more than it saves.
inline constexpr int64_t kParallelGrain = 32768;

/// Calls f(begin, end) over [0, n) in contiguous chunks, one per OpenMP thread when n is large.
template <class F>
void parallel_for(int64_t n, int64_t cost_per_item, F&& f) {
  if (n <= 0) return;
  if (n * cost_per_item < kParallelGrain) {
    f(int64_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads();
    const int64_t t = omp_get_thread_num();
    const int64_t chunk = (n + threads - 1) / threads;
    const int64_t begin = t * chunk;
    const int64_t end = begin + chunk < n ? begin + chunk : n;
    if (begin < end) f(begin, end);
  }
}

/// Strides (in elements) of `shape` read as broadcast to `out` (0 where it is broadcast).
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out);

/// Iteration over `out` with N operands read at the given strides: dims where every operand is
/// contiguous are merged, so the inner loop is as long as possible.
template <size_t N>
struct BroadcastLoop {
  std::vector<int64_t> dims;                       // collapsed output dims (at least one)
  std::array<std::vector<int64_t>, N> strides;     // per operand, per collapsed dim
  int64_t rows() const {
    int64_t r = 1;
    for (size_t i = 0; i + 1 < dims.size(); ++i) r *= dims[i];
    return r;
  }
  int64_t inner() const { return dims.back(); }
  /// Offsets of each operand at the start of output row `row`.
  std::array<int64_t, N> row_offsets(int64_t row) const {
    std::array<int64_t, N> off{};
    for (size_t d = dims.size() - 1; d-- > 0;) {
      const int64_t i = row % dims[d];
      row /= dims[d];
      for (size_t k = 0; k < N; ++k) off[k] += i * strides[k][d];
    }
    return off;
  }
};

template <size_t N>
BroadcastLoop<N> make_broadcast_loop(const Shape& out, const std::array<std::vector<int64_t>, N>& strides) {
  BroadcastLoop<N> loop;
  const auto& od = out.dims();
  for (size_t d = 0; d < od.size(); ++d) {
    if (od[d] == 1) continue;  // size-1 dims contribute nothing
    bool merge = !loop.dims.empty();
    for (size_t k = 0; k < N && merge; ++k) merge = loop.strides[k].back() == strides[k][d] * od[d];
    if (merge) {
      loop.dims.back() *= od[d];
      for (size_t k = 0; k < N; ++k) loop.strides[k].back() = strides[k][d];
    } else {
      loop.dims.push_back(od[d]);
      for (size_t k = 0; k < N; ++k) loop.strides[k].push_back(strides[k][d]);
    }
  }
  if (loop.dims.empty()) {
    loop.dims.push_back(1);
    for (size_t k = 0; k < N; ++k) loop.strides[k].push_back(0);
  }
  return loop;
}

}  // namespace keras::kernels::cpu
