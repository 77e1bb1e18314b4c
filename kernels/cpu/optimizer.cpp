// Fused optimizer updates: one pass over the variable and its slots, in place. Built with
// -fno-math-errno (kernels/CMakeLists.txt) so that the loops with a sqrt vectorise (sqrt itself is
// exact either way) and -ffp-contract=off so that no clone fuses a multiply and an add into an FMA,
// which would round differently from the ops.
#include <keras/kernels/cpu/cpu_kernels.h>
#include <keras/kernels/cpu/loops.h>

#include <cmath>
#include <string>
#include <type_traits>

namespace keras::kernels::cpu {

namespace {

// Elementwise work per element is a handful of flops: split across threads only for big variables.
constexpr int64_t kCostPerElement = 4;

void check_operand(const Tensor& t, const Tensor& variable, const char* kernel, const char* what) {
  if (t.dtype() != variable.dtype() || t.shape() != variable.shape()) {
    throw ValueError(std::string(kernel) + ": " + what + " has dtype " + std::string(dtype_name(t.dtype())) +
                     " and shape " + t.shape().str() + ", but the variable has " +
                     std::string(dtype_name(variable.dtype())) + " and " + variable.shape().str());
  }
}

template <class F>
void visit_floating(const Tensor& variable, const char* kernel, F&& f) {
  switch (variable.dtype()) {
    case DType::float32: f(float{}); return;
    case DType::float64: f(double{}); return;
    default:
      throw ValueError(std::string(kernel) + ": expected float32 or float64 tensors, got " +
                       std::string(dtype_name(variable.dtype())));
  }
}

// The float32 Adam loop, the one that runs every training step, built for AVX-512 and AVX2 too on
// x86-64 (the loader picks the best the CPU has): the library's baseline there is SSE2.
#if defined(__x86_64__) && defined(__GNUC__)
#define KERAS_ADAM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KERAS_ADAM_CLONES
#endif
KERAS_ADAM_CLONES void adam_loop(float* w, float* m, float* v, const float* g, int64_t begin, int64_t end,
                                 float alpha, float c1, float c2, float eps) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const float mi = m[i] + (g[i] - m[i]) * c1;
    const float vi = v[i] + (g[i] * g[i] - v[i]) * c2;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] - mi * alpha / (std::sqrt(vi) + eps);
  }
}

// The same NaN rule as the maximum op: a NaN on either side propagates.
template <class T>
T nan_maximum(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  return a > b ? a : b;
}

}  // namespace

void adam_update(const AdamUpdateArgs& a) {
  const char* kernel = "adam_update";
  check_operand(a.m, a.variable, kernel, "m");
  check_operand(a.v, a.variable, kernel, "v");
  check_operand(a.gradient, a.variable, kernel, "the gradient");
  if (a.v_hat.defined()) check_operand(a.v_hat, a.variable, kernel, "v_hat");
  visit_floating(a.variable, kernel, [&](auto tag) {
    using T = decltype(tag);
    // As the op-by-op formula, in T: lr·sqrt(1 - beta_2^t) / (1 - beta_1^t).
    const T step = static_cast<T>(a.step);
    const T beta_1_power = std::pow(static_cast<T>(a.beta_1), step);
    const T beta_2_power = std::pow(static_cast<T>(a.beta_2), step);
    const T alpha = static_cast<T>(a.learning_rate) * std::sqrt(T{1} - beta_2_power) / (T{1} - beta_1_power);
    const T c1 = static_cast<T>(1 - a.beta_1);
    const T c2 = static_cast<T>(1 - a.beta_2);
    const T eps = static_cast<T>(a.epsilon);
    T* w = a.variable.mutable_data<T>();
    T* m = a.m.mutable_data<T>();
    T* v = a.v.mutable_data<T>();
    T* v_hat = a.v_hat.defined() ? a.v_hat.mutable_data<T>() : nullptr;
    const T* g = a.gradient.data<T>();
    parallel_for(a.variable.size(), kCostPerElement, [&](int64_t begin, int64_t end) {
      if (v_hat) {
#pragma omp simd
        for (int64_t i = begin; i < end; ++i) {
          m[i] = m[i] + (g[i] - m[i]) * c1;
          v[i] = v[i] + (g[i] * g[i] - v[i]) * c2;
          v_hat[i] = nan_maximum(v_hat[i], v[i]);
          w[i] = w[i] - m[i] * alpha / (std::sqrt(v_hat[i]) + eps);
        }
        return;
      }
      if constexpr (std::is_same_v<T, float>) {
        adam_loop(w, m, v, g, begin, end, alpha, c1, c2, eps);
        return;
      }
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) {
        const T mi = m[i] + (g[i] - m[i]) * c1;
        const T vi = v[i] + (g[i] * g[i] - v[i]) * c2;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] - mi * alpha / (std::sqrt(vi) + eps);
      }
    });
  });
}

void sgd_update(const SGDUpdateArgs& a) {
  const char* kernel = "sgd_update";
  check_operand(a.gradient, a.variable, kernel, "the gradient");
  if (a.m.defined()) check_operand(a.m, a.variable, kernel, "the momentum");
  visit_floating(a.variable, kernel, [&](auto tag) {
    using T = decltype(tag);
    const T lr = static_cast<T>(a.learning_rate);
    const T momentum = static_cast<T>(a.momentum);
    T* w = a.variable.mutable_data<T>();
    T* m = a.m.defined() ? a.m.mutable_data<T>() : nullptr;
    const T* g = a.gradient.data<T>();
    const bool nesterov = a.nesterov;
    parallel_for(a.variable.size(), kCostPerElement, [&](int64_t begin, int64_t end) {
      if (!m) {
#pragma omp simd
        for (int64_t i = begin; i < end; ++i) w[i] = w[i] - g[i] * lr;
      } else if (nesterov) {
#pragma omp simd
        for (int64_t i = begin; i < end; ++i) {
          const T mi = m[i] * momentum - g[i] * lr;
          m[i] = mi;
          w[i] = w[i] + (mi * momentum - g[i] * lr);
        }
      } else {
#pragma omp simd
        for (int64_t i = begin; i < end; ++i) {
          const T mi = m[i] * momentum - g[i] * lr;
          m[i] = mi;
          w[i] = w[i] + mi;
        }
      }
    });
  });
}

void rmsprop_update(const RMSpropUpdateArgs& a) {
  const char* kernel = "rmsprop_update";
  check_operand(a.velocity, a.variable, kernel, "the velocity");
  check_operand(a.gradient, a.variable, kernel, "the gradient");
  if (a.momentum_slot.defined()) check_operand(a.momentum_slot, a.variable, kernel, "the momentum");
  if (a.average_gradient.defined()) check_operand(a.average_gradient, a.variable, kernel, "the average gradient");
  visit_floating(a.variable, kernel, [&](auto tag) {
    using T = decltype(tag);
    const T lr = static_cast<T>(a.learning_rate);
    const T rho = static_cast<T>(a.rho);
    const T one_minus_rho = static_cast<T>(1 - a.rho);
    const T momentum = static_cast<T>(a.momentum);
    const T eps = static_cast<T>(a.epsilon);
    T* w = a.variable.mutable_data<T>();
    T* vel = a.velocity.mutable_data<T>();
    T* mom = a.momentum_slot.defined() ? a.momentum_slot.mutable_data<T>() : nullptr;
    T* avg = a.average_gradient.defined() ? a.average_gradient.mutable_data<T>() : nullptr;
    const T* g = a.gradient.data<T>();
    parallel_for(a.variable.size(), kCostPerElement, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const T vi = rho * vel[i] + one_minus_rho * (g[i] * g[i]);
        vel[i] = vi;
        T denominator;
        if (avg) {
          const T ai = rho * avg[i] + one_minus_rho * g[i];
          avg[i] = ai;
          denominator = vi - ai * ai + eps;
        } else {
          denominator = vi + eps;
        }
        const T increment = lr * g[i] / std::sqrt(denominator);
        if (mom) {
          const T mi = momentum * mom[i] + increment;
          mom[i] = mi;
          w[i] = w[i] - mi;
        } else {
          w[i] = w[i] - increment;
        }
      }
    });
  });
}

void weight_decay_update(const Tensor& variable, double weight_decay, double learning_rate) {
  visit_floating(variable, "weight_decay_update", [&](auto tag) {
    using T = decltype(tag);
    const T wd = static_cast<T>(weight_decay);
    const T lr = static_cast<T>(learning_rate);
    T* w = variable.mutable_data<T>();
    parallel_for(variable.size(), kCostPerElement, [w, wd, lr](int64_t begin, int64_t end) {
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) w[i] = w[i] - w[i] * wd * lr;
    });
  });
}

}  // namespace keras::kernels::cpu
