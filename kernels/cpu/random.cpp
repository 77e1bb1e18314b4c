#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/loops.h>
#include <keras/kernels/cpu/philox.h>

#include <cmath>
#include <limits>

namespace keras::kernels::cpu {

namespace {

constexpr double kTwoPi = 6.283185307179586;

// [0, 1) from 32 random bits, exact in a double.
double unit32(uint32_t bits) { return static_cast<double>(bits) * 0x1p-32; }
// [0, 1) from 53 random bits: every double of the form k * 2^-53.
double unit53(uint32_t hi, uint32_t lo) {
  return static_cast<double>((static_cast<uint64_t>(hi >> 5) << 26) | (lo >> 6)) * 0x1p-53;
}

// The largest T strictly below `bound` (where uniform's rounding up to maxval is sent back).
template <class T>
T below(double bound) {
  if constexpr (std::is_same_v<T, double>) {
    return std::nextafter(bound, -std::numeric_limits<double>::infinity());
  } else if constexpr (std::is_same_v<T, float>) {
    const float b = static_cast<float>(bound);
    return static_cast<double>(b) < bound ? b : std::nextafter(b, -std::numeric_limits<float>::infinity());
  } else {
    T b(static_cast<float>(bound));
    if (static_cast<double>(static_cast<float>(b)) < bound) return b;
    // Half types: one step down in bits (toward -inf), across zero to the smallest negative subnormal.
    const uint16_t sign = b.bits & 0x8000u;
    if ((b.bits & 0x7fffu) == 0) {
      b.bits = 0x8001u;
    } else {
      b.bits = static_cast<uint16_t>(sign ? b.bits + 1 : b.bits - 1);
    }
    return b;
  }
}

}  // namespace

Tensor random(const RandomArgs& args) {
  if (!is_floating(args.dtype)) {
    throw ValueError("random: dtype must be floating, got " + std::string(dtype_name(args.dtype)));
  }
  Tensor dst = Tensor::empty(args.shape, args.dtype, args.device);
  const int64_t n = dst.size();
  const uint32_t key[2] = {static_cast<uint32_t>(args.seed), static_cast<uint32_t>(args.seed >> 32)};
  visit_dtype(args.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>) {
      T* pd = static_cast<T*>(dst.mutable_data());
      const T top = below<T>(args.b);
      // Element i uses block (counter + i); a truncated-normal redraw moves to the third counter word.
      parallel_for(n, 32, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const uint64_t c = args.counter + static_cast<uint64_t>(i);
          double v = args.a;
          for (uint32_t attempt = 0; attempt < 64; ++attempt) {
            const auto r = philox4x32_10({static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), attempt, 0},
                                         {key[0], key[1]});
            if (args.distribution == Distribution::uniform) {
              const double u = std::is_same_v<T, double> ? unit53(r[0], r[1]) : unit32(r[0]);
              v = args.a + (args.b - args.a) * u;
              break;
            }
            const double u1 = 1.0 - unit32(r[0]);  // (0, 1]: log is finite
            const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * unit32(r[1]));
            if (args.distribution == Distribution::normal || std::fabs(z) <= 2.0) {
              v = args.a + args.b * z;
              break;
            }
            // 64 rejections in a row (p = 0.0455^64) leave the mean.
          }
          T out = element_cast<T>(v);
          // Rounding to T can reach maxval; Keras promises [minval, maxval).
          if (args.distribution == Distribution::uniform && args.b > args.a &&
              static_cast<double>(element_cast<double>(out)) >= args.b) {
            out = top;
          }
          pd[i] = out;
        }
      });
    }
  });
  return dst;
}

}  // namespace keras::kernels::cpu
