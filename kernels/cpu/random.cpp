#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/loops.h>

#include <cmath>

namespace keras::kernels::cpu {

namespace {

// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), as cuRAND and
// JAX use: block i of (seed, counter) depends on nothing else, so any thread can make any block.
struct Philox {
  static std::array<uint32_t, 4> block(uint64_t seed, uint64_t counter) {
    uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      const uint64_t p0 = uint64_t{0xD2511F53u} * c0;
      const uint64_t p1 = uint64_t{0xCD9E8D57u} * c2;
      const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
      const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
      c1 = static_cast<uint32_t>(p1);
      c3 = static_cast<uint32_t>(p0);
      c0 = n0;
      c2 = n2;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    return {c0, c1, c2, c3};
  }
};

// A double in [0, 1) from 32 random bits (exact in float32 after rounding down).
double unit(uint32_t bits) { return static_cast<double>(bits) * (1.0 / 4294967296.0); }

}  // namespace

Tensor random(const RandomArgs& args) {
  if (!is_floating(args.dtype)) {
    throw ValueError("random: dtype must be floating, got " + std::string(dtype_name(args.dtype)));
  }
  const int64_t n = args.shape.size();
  std::vector<double> values(static_cast<size_t>(n));
  // Element i uses block (counter + i): two uniforms for Box-Muller, the others spare for redraws.
  parallel_for(n, 32, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      double v = 0.0;
      for (uint64_t attempt = 0;; ++attempt) {
        const auto r = Philox::block(args.seed, args.counter + static_cast<uint64_t>(i) + (attempt << 40));
        if (args.distribution == Distribution::uniform) {
          v = args.a + (args.b - args.a) * unit(r[0]);
          break;
        }
        const double u1 = 1.0 - unit(r[0]);  // (0, 1]: log is finite
        const double u2 = unit(r[1]);
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
        if (args.distribution == Distribution::normal || std::fabs(z) <= 2.0 || attempt > 64) {
          v = args.a + args.b * (std::fabs(z) <= 2.0 || args.distribution == Distribution::normal ? z : 0.0);
          break;
        }
      }
      values[static_cast<size_t>(i)] = v;
    }
  });
  Tensor dst = Tensor::empty(args.shape, args.dtype, args.device);
  visit_dtype(args.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* pd = static_cast<T*>(dst.mutable_data());
    for (int64_t i = 0; i < n; ++i) pd[i] = element_cast<T>(values[static_cast<size_t>(i)]);
  });
  // uniform in float32 can round up to maxval; keep the interval half-open as Keras promises.
  if (args.distribution == Distribution::uniform && args.dtype != DType::float64) {
    visit_dtype(args.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool>) {
        T* pd = static_cast<T*>(dst.mutable_data());
        for (int64_t i = 0; i < n; ++i) {
          if (static_cast<double>(static_cast<float>(pd[i])) >= args.b && args.b > args.a) {
            pd[i] = element_cast<T>(std::nextafter(static_cast<float>(args.b), static_cast<float>(args.a)));
          }
        }
      }
    });
  }
  return dst;
}

}  // namespace keras::kernels::cpu
