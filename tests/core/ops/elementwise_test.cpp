#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

#include <cmath>
#include <iterator>
#include <limits>

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

using UnaryFn = std::function<Tensor(const Tensor&)>;
using BinaryFn = std::function<Tensor(const Tensor&, const Tensor&)>;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Tensor f32_tensor(std::initializer_list<float> values) { return Tensor(values); }
Tensor f32_tensor(std::initializer_list<float> values, Shape shape) { return Tensor(values, std::move(shape)); }
Tensor i32(std::initializer_list<int32_t> values) { return Tensor(values); }
Tensor b8(std::initializer_list<bool> values) { return Tensor(values); }

// Like check_allclose, but infinities must match exactly (check_allclose's |a - e| is NaN there).
void check_ieee(const Tensor& actual, const Tensor& expected, double rtol = 1e-6, double atol = 1e-7) {
  REQUIRE(actual.shape() == expected.shape());
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    const bool same = a[i] == e[i] || (std::isnan(a[i]) && std::isnan(e[i])) ||
                      std::fabs(a[i] - e[i]) <= rtol * std::fabs(e[i]) + atol;
    if (!same) {
      FAIL_CHECK("element " << i << ": " << a[i] << " != expected " << e[i]);
      return;
    }
  }
}

// n points spanning [lo, hi] and the special values: long enough for the CPU's oneDNN paths.
Tensor wide_values(double lo, double hi, int64_t n = 5000) {
  std::vector<float> v;
  const double step = (hi - lo) / static_cast<double>(n - 1);
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<float>(lo + step * static_cast<double>(i)));
  for (float special : {kNaN, kInf, -kInf, 0.f, -0.f, 1e-30f, -1e-30f, 1e30f, -1e30f}) v.push_back(special);
  return Tensor::from_vector(v);
}

// fn in float32 against fn in float64 (the reference loops) rounded to float32.
void check_f32_near_f64(const UnaryFn& fn, const Tensor& x, double rtol = 1e-5, double atol = 1e-6) {
  const Tensor got = fn(x);
  REQUIRE(got.dtype() == DType::float32);
  check_ieee(got, fn(x.astype(DType::float64)).astype(DType::float32), rtol, atol);
}

void check_unary_gradient(const UnaryFn& fn, const Tensor& x) {
  check_gradients([&](const Tensors& xs) { return fn(xs[0]); }, {x});
}

void check_binary_gradient(const BinaryFn& fn, const Tensor& x1, const Tensor& x2) {
  check_gradients([&](const Tensors& xs) { return fn(xs[0], xs[1]); }, {x1, x2});
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("Arithmetic ops compute elementwise on equal shapes") {
  const Tensor a = f32_tensor({1.f, 2.f, 3.f}), b = f32_tensor({4.f, 5.f, 8.f});
  check_allclose(ops::add(a, b), f32_tensor({5.f, 7.f, 11.f}));
  check_allclose(ops::subtract(a, b), f32_tensor({-3.f, -3.f, -5.f}));
  check_allclose(ops::multiply(a, b), f32_tensor({4.f, 10.f, 24.f}));
  check_allclose(ops::divide(a, b), f32_tensor({0.25f, 0.4f, 0.375f}));
  check_allclose(ops::power(f32_tensor({2.f, 9.f, 4.f}), f32_tensor({3.f, 0.5f, -1.f})), f32_tensor({8.f, 3.f, 0.25f}));
  check_allclose(ops::maximum(a, f32_tensor({0.f, 5.f, 3.f})), f32_tensor({1.f, 5.f, 3.f}));
  check_allclose(ops::minimum(a, f32_tensor({0.f, 5.f, 3.f})), f32_tensor({0.f, 2.f, 3.f}));
}

TEST_CASE("Binary ops broadcast (2, 3) with (3,) and (2, 1) with (1, 3)") {
  const Tensor m = f32_tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  check_allclose(ops::add(m, f32_tensor({10.f, 20.f, 30.f})), f32_tensor({11.f, 22.f, 33.f, 14.f, 25.f, 36.f}, {2, 3}));
  check_allclose(ops::subtract(f32_tensor({10.f, 20.f, 30.f}), m), f32_tensor({9.f, 18.f, 27.f, 6.f, 15.f, 24.f}, {2, 3}));
  const Tensor col = f32_tensor({1.f, 2.f}, {2, 1}), row = f32_tensor({10.f, 20.f, 30.f}, {1, 3});
  check_allclose(ops::add(col, row), f32_tensor({11.f, 21.f, 31.f, 12.f, 22.f, 32.f}, {2, 3}));
  check_allclose(ops::multiply(row, col), f32_tensor({10.f, 20.f, 30.f, 20.f, 40.f, 60.f}, {2, 3}));
  check_allclose(ops::maximum(col, row * 0.1), f32_tensor({1.f, 2.f, 3.f, 2.f, 2.f, 3.f}, {2, 3}), 1e-6, 1e-6);
  check_allclose(ops::add(m, Tensor::scalar(1.f)), f32_tensor({2.f, 3.f, 4.f, 5.f, 6.f, 7.f}, {2, 3}));
}

TEST_CASE("Broadcasting of a zero-size axis gives an empty result") {
  const Tensor y = ops::add(ops::zeros({0, 3}), f32_tensor({1.f, 2.f, 3.f}));
  CHECK(y.shape() == Shape{0, 3});
}

TEST_CASE("C++ scalar operators take the tensor's dtype, as Python scalars do in Keras") {
  const Tensor x = f32_tensor({1.f, 2.f, 4.f});
  check_allclose(x + 1.0, f32_tensor({2.f, 3.f, 5.f}));
  check_allclose(1.0 - x, f32_tensor({0.f, -1.f, -3.f}));
  check_allclose(x - 1.0, f32_tensor({0.f, 1.f, 3.f}));
  check_allclose(2.0 * x, f32_tensor({2.f, 4.f, 8.f}));
  check_allclose(x * 2.0, f32_tensor({2.f, 4.f, 8.f}));
  check_allclose(x / 2.0, f32_tensor({0.5f, 1.f, 2.f}));
  check_allclose(1.0 / x, f32_tensor({1.f, 0.5f, 0.25f}));
  check_allclose(-x, f32_tensor({-1.f, -2.f, -4.f}));
  CHECK((x + 1.0).dtype() == DType::float32);
  CHECK((Tensor({1.0}) * 3.0).dtype() == DType::float64);

  const Tensor n = i32({1, 2, 3});
  CHECK((n * 2.0).dtype() == DType::int32);
  check_allclose(n * 2.0, i32({2, 4, 6}));
  CHECK((n + 0.5).dtype() == DType::float32);
  check_allclose(n + 0.5, f32_tensor({1.5f, 2.5f, 3.5f}));
  CHECK((n / 2.0).dtype() == DType::float32);
  check_allclose(n / 2.0, f32_tensor({0.5f, 1.f, 1.5f}));

  const Tensor mask = b8({true, false, true});
  CHECK((mask * 2.0).dtype() == DType::int32);
  check_allclose(mask * 2.0, i32({2, 0, 2}));
  check_allclose(mask * 0.5, f32_tensor({0.5f, 0.f, 0.5f}));
}

TEST_CASE("Binary ops promote dtypes: int32 with float32 gives float32") {
  CHECK(ops::add(i32({1, 2}), f32_tensor({0.5f, 0.5f})).dtype() == DType::float32);
  check_allclose(ops::add(i32({1, 2}), f32_tensor({0.5f, 0.5f})), f32_tensor({1.5f, 2.5f}));
  CHECK(ops::add(i32({1}), i32({2})).dtype() == DType::int32);
  CHECK(ops::add(i32({1}), Tensor({int64_t{2}})).dtype() == DType::int64);
  CHECK(ops::add(Tensor({uint8_t{200}}), i32({100})).dtype() == DType::int32);
  check_allclose(ops::add(Tensor({uint8_t{200}}), i32({100})), i32({300}));
  CHECK(ops::multiply(f32_tensor({1.f}), Tensor({2.0})).dtype() == DType::float64);
  const Tensor h = f32_tensor({1.5f}).astype(DType::float16), bh = f32_tensor({2.f}).astype(DType::bfloat16);
  CHECK(ops::add(h, h).dtype() == DType::float16);
  check_allclose(ops::add(h, h), f32_tensor({3.f}));
  CHECK(ops::add(h, bh).dtype() == DType::float32);
  check_allclose(ops::add(h, bh), f32_tensor({3.5f}));
}

TEST_CASE("divide of integers is true division and gives float32") {
  const Tensor q = ops::divide(i32({1, 2, 7}), i32({2, 2, 2}));
  CHECK(q.dtype() == DType::float32);
  check_allclose(q, f32_tensor({0.5f, 1.f, 3.5f}));
  check_ieee(ops::divide(f32_tensor({1.f, -1.f, 0.f}), f32_tensor({0.f, 0.f, 0.f})), f32_tensor({kInf, -kInf, kNaN}));
}

TEST_CASE("floor_divide rounds toward negative infinity, as Python's //") {
  check_allclose(ops::floor_divide(i32({7, -7, 7, -7, 6}), i32({2, 2, -2, -2, 3})), i32({3, -4, -4, 3, 2}));
  CHECK(ops::floor_divide(i32({7}), i32({2})).dtype() == DType::int32);
  check_allclose(ops::floor_divide(f32_tensor({7.5f, -7.5f, 7.5f}), f32_tensor({2.f, 2.f, -2.f})), f32_tensor({3.f, -4.f, -4.f}));
  check_allclose(ops::floor_divide(Tensor({int64_t{-9}}), Tensor({int64_t{4}})), Tensor({int64_t{-3}}));
}

TEST_CASE("mod takes the sign of the divisor, as Python's %") {
  check_allclose(ops::mod(i32({7, -7, 7, -7, 6}), i32({3, 3, -3, -3, 3})), i32({1, 2, -2, -1, 0}));
  check_allclose(ops::mod(f32_tensor({-1.5f, 5.5f, 7.5f, -7.5f}), f32_tensor({1.f, -2.f, 2.f, 2.f})), f32_tensor({0.5f, -0.5f, 1.5f, 0.5f}));
  CHECK(ops::mod(i32({7}), i32({3})).dtype() == DType::int32);
}

TEST_CASE("power of integers stays integer") {
  const Tensor p = ops::power(i32({2, 3, -2}), i32({10, 3, 3}));
  CHECK(p.dtype() == DType::int32);
  check_allclose(p, i32({1024, 27, -8}));
}

TEST_CASE("maximum and minimum propagate NaN, as NumPy") {
  const Tensor y = ops::maximum(f32_tensor({kNaN, 1.f, 2.f}), f32_tensor({0.f, kNaN, 1.f}));
  const auto v = y.to_vector<float>();
  CHECK(std::isnan(v[0]));
  CHECK(std::isnan(v[1]));
  CHECK(v[2] == 2.f);
  CHECK(std::isnan(ops::minimum(f32_tensor({kNaN}), f32_tensor({0.f})).item<float>()));
}

TEST_CASE("Unary math ops match hand-computed values") {
  check_allclose(ops::negative(f32_tensor({1.f, -2.f})), f32_tensor({-1.f, 2.f}));
  check_allclose(ops::abs(f32_tensor({-1.5f, 0.f, 2.f})), f32_tensor({1.5f, 0.f, 2.f}));
  check_allclose(ops::sign(f32_tensor({-2.f, 0.f, 3.f})), f32_tensor({-1.f, 0.f, 1.f}));
  check_allclose(ops::square(f32_tensor({-3.f, 0.5f})), f32_tensor({9.f, 0.25f}));
  check_allclose(ops::sqrt(f32_tensor({4.f, 0.25f, 0.f})), f32_tensor({2.f, 0.5f, 0.f}));
  check_allclose(ops::rsqrt(f32_tensor({4.f, 0.25f})), f32_tensor({0.5f, 2.f}));
  check_allclose(ops::reciprocal(f32_tensor({4.f, -0.5f})), f32_tensor({0.25f, -2.f}));
  check_allclose(ops::exp(f32_tensor({-1.f, 0.f, 1.5f})), f32_tensor({0.3678794412f, 1.f, 4.4816890703f}));
  check_allclose(ops::log(f32_tensor({0.5f, 1.f, 10.f})), f32_tensor({-0.6931471806f, 0.f, 2.302585093f}));
  check_allclose(ops::log1p(Tensor({1e-10})), Tensor({9.999999999500001e-11}), 1e-12, 0);
  check_allclose(ops::expm1(Tensor({1e-10})), Tensor({1.00000000005e-10}), 1e-12, 0);
  check_allclose(ops::sin(f32_tensor({-1.f, 0.5f, 2.f})), f32_tensor({-0.8414709848f, 0.4794255386f, 0.9092974268f}));
  check_allclose(ops::cos(f32_tensor({-1.f, 0.5f, 2.f})), f32_tensor({0.5403023059f, 0.8775825619f, -0.4161468365f}));
  check_allclose(ops::tanh(f32_tensor({-20.f, -0.5f, 0.f, 1.f})), f32_tensor({-1.f, -0.4621171573f, 0.f, 0.761594156f}));
  check_allclose(ops::sigmoid(f32_tensor({-1000.f, 0.f, 1.f, 1000.f})), f32_tensor({0.f, 0.5f, 0.7310585786f, 1.f}));
  check_allclose(ops::erf(f32_tensor({-1.f, 0.5f, 3.f})), f32_tensor({-0.8427007929f, 0.5204998778f, 0.9999779095f}));
  check_allclose(ops::floor(f32_tensor({-1.5f, 1.5f, 2.f})), f32_tensor({-2.f, 1.f, 2.f}));
  check_allclose(ops::ceil(f32_tensor({-1.5f, 1.5f, 2.f})), f32_tensor({-1.f, 2.f, 2.f}));
}

TEST_CASE("Edge values follow IEEE and NumPy") {
  const auto sqrt_neg = ops::sqrt(f32_tensor({-1.f})).item<float>();
  CHECK(std::isnan(sqrt_neg));
  check_ieee(ops::log(f32_tensor({0.f})), f32_tensor({-kInf}));
  check_ieee(ops::exp(f32_tensor({-kInf, 100.f})), f32_tensor({0.f, kInf}));
  check_ieee(ops::reciprocal(f32_tensor({0.f})), f32_tensor({kInf}));
  CHECK(std::isnan(ops::sign(f32_tensor({kNaN})).item<float>()));
  CHECK(std::isnan(ops::tanh(f32_tensor({kNaN})).item<float>()));
  check_allclose(ops::tanh(f32_tensor({kInf, -kInf})), f32_tensor({1.f, -1.f}));
}

TEST_CASE("Unary ops on large float32 tensors agree with the float64 loops") {
  const Tensor x = wide_values(-30.0, 30.0);
  const UnaryFn fns[] = {ops::negative, ops::abs, ops::sign, ops::square, ops::sqrt, ops::rsqrt, ops::reciprocal,
                         ops::exp, ops::log, ops::log1p, ops::expm1, ops::tanh, ops::sigmoid, ops::erf,
                         ops::floor, ops::ceil, ops::round};
  for (size_t i = 0; i < std::size(fns); ++i) {
    CAPTURE(i);
    check_f32_near_f64(fns[i], x);
  }
  check_f32_near_f64(ops::sin, wide_values(-10.0, 10.0));
  check_f32_near_f64(ops::cos, wide_values(-10.0, 10.0));
  check_f32_near_f64(ops::round, wide_values(-8.0, 8.0, 33));  // every half-integer
}

TEST_CASE("Binary ops on large float32 tensors agree with the float64 loops, broadcast or not") {
  const Tensor m = ops::reshape(wide_values(-5.0, 5.0, 4991), {5000, 1}) * ops::ones({1, 3});
  const Tensor row = Tensor({0.5f, -2.f, 0.f}), col = ops::reshape(wide_values(1.0, 3.0, 4991), {5000, 1});
  const BinaryFn fns[] = {ops::add, ops::subtract, ops::multiply, ops::divide, ops::maximum, ops::minimum, ops::power};
  const std::pair<Tensor, Tensor> operands[] = {{m, m * 0.7}, {m, row}, {row, m}, {col, m}, {m, Tensor::scalar(3.f)},
                                                {Tensor::scalar(2.f), m}};
  for (size_t i = 0; i < std::size(fns); ++i) {
    for (const auto& operand : operands) {
      // Named references, not a structured binding: clang 14 cannot capture bindings in CAPTURE.
      const Tensor& x1 = operand.first;
      const Tensor& x2 = operand.second;
      CAPTURE(i);
      CAPTURE(x1.shape().str());
      CAPTURE(x2.shape().str());
      const Tensor got = fns[i](x1, x2);
      check_ieee(got, fns[i](x1.astype(DType::float64), x2.astype(DType::float64)).astype(DType::float32), 1e-6, 1e-7);
    }
  }
}

TEST_CASE("round rounds half to even, as NumPy") {
  check_allclose(ops::round(f32_tensor({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, 2.6f, -2.6f})),
                 f32_tensor({0.f, 2.f, 2.f, 0.f, -2.f, 2.f, 3.f, -3.f}));
  check_allclose(ops::round(Tensor({2.5, 3.5})), Tensor({2.0, 4.0}));
  CHECK(ops::round(i32({3})).dtype() == DType::int32);
}

TEST_CASE("Integer inputs: abs, sign, square, negative keep int; float-only ops give float32") {
  const Tensor n = i32({-3, 0, 4});
  CHECK(ops::abs(n).dtype() == DType::int32);
  check_allclose(ops::abs(n), i32({3, 0, 4}));
  check_allclose(ops::sign(n), i32({-1, 0, 1}));
  check_allclose(ops::square(n), i32({9, 0, 16}));
  check_allclose(ops::negative(n), i32({3, 0, -4}));
  CHECK(ops::sqrt(i32({4})).dtype() == DType::float32);
  check_allclose(ops::sqrt(i32({4, 9})), f32_tensor({2.f, 3.f}));
  const UnaryFn float_only[] = {ops::sqrt, ops::rsqrt, ops::reciprocal, ops::exp, ops::log, ops::log1p, ops::expm1,
                                ops::sin, ops::cos, ops::tanh, ops::sigmoid, ops::erf, ops::floor, ops::ceil};
  for (const auto& fn : float_only) CHECK(fn(i32({1, 2})).dtype() == DType::float32);
  check_allclose(ops::floor(i32({-3, 2})), f32_tensor({-3.f, 2.f}));
}

TEST_CASE("clip bounds values to [x_min, x_max]") {
  check_allclose(ops::clip(f32_tensor({-2.f, 0.5f, 3.f}), -1.0, 1.0), f32_tensor({-1.f, 0.5f, 1.f}));
  CHECK(ops::clip(i32({-5, 2, 9}), 0, 5).dtype() == DType::int32);
  check_allclose(ops::clip(i32({-5, 2, 9}), 0, 5), i32({0, 2, 5}));
  CHECK_THROWS_WITH_AS(ops::clip(f32_tensor({1.f}), 2.0, 1.0), doctest::Contains("clip: x_min"), ValueError);
}

TEST_CASE("where picks from x1 or x2 and broadcasts all three") {
  check_allclose(ops::where(b8({true, false, true}), f32_tensor({1.f, 2.f, 3.f}), f32_tensor({10.f, 20.f, 30.f})),
                 f32_tensor({1.f, 20.f, 3.f}));
  const Tensor cond = Tensor({true, false}, {2, 1});
  const Tensor y = ops::where(cond, f32_tensor({1.f, 2.f, 3.f}, {1, 3}), Tensor::scalar(0.f));
  check_allclose(y, f32_tensor({1.f, 2.f, 3.f, 0.f, 0.f, 0.f}, {2, 3}));
  const Tensor mixed = ops::where(b8({true, false}), i32({1, 2}), f32_tensor({0.5f, 0.5f}));
  CHECK(mixed.dtype() == DType::float32);
  check_allclose(mixed, f32_tensor({1.f, 0.5f}));
  check_allclose(ops::where(f32_tensor({2.f, 0.f}), i32({1, 2}), i32({7, 8})), i32({1, 8}));
}

TEST_CASE("Comparisons give bool and broadcast") {
  const Tensor a = f32_tensor({1.f, 2.f, 3.f}), b = f32_tensor({3.f, 2.f, 1.f});
  CHECK(ops::equal(a, b).dtype() == DType::bool_);
  check_allclose(ops::equal(a, b), b8({false, true, false}));
  check_allclose(ops::not_equal(a, b), b8({true, false, true}));
  check_allclose(ops::less(a, b), b8({true, false, false}));
  check_allclose(ops::less_equal(a, b), b8({true, true, false}));
  check_allclose(ops::greater(a, b), b8({false, false, true}));
  check_allclose(ops::greater_equal(a, b), b8({false, true, true}));
  check_allclose(ops::less(f32_tensor({1.f, 2.f}, {2, 1}), f32_tensor({1.5f, 2.5f}, {1, 2})),
                 Tensor({true, true, false, true}, {2, 2}));
  check_allclose(ops::equal(i32({1, 2}), f32_tensor({1.f, 2.5f})), b8({true, false}));
  CHECK(ops::equal(f32_tensor({kNaN}), f32_tensor({kNaN})).item<bool>() == false);
}

TEST_CASE("Comparison and logical operators work on tensors") {
  const Tensor a = f32_tensor({1.f, 2.f, 3.f}), b = f32_tensor({3.f, 2.f, 1.f});
  check_allclose(a == b, b8({false, true, false}));
  check_allclose(a != b, b8({true, false, true}));
  check_allclose(a < b, b8({true, false, false}));
  check_allclose(a <= b, b8({true, true, false}));
  check_allclose(a > b, b8({false, false, true}));
  check_allclose(a >= b, b8({false, true, true}));
  check_allclose(a > 1.5, b8({false, true, true}));
  check_allclose(a == 2.0, b8({false, true, false}));
  const Tensor p = b8({true, true, false, false}), q = b8({true, false, true, false});
  check_allclose(p & q, b8({true, false, false, false}));
  check_allclose(p | q, b8({true, true, true, false}));
  check_allclose(p ^ q, b8({false, true, true, false}));
  check_allclose(!p, b8({false, false, true, true}));
  CHECK((!p).dtype() == DType::bool_);
}

TEST_CASE("Logical ops treat nonzero numbers as true") {
  check_allclose(ops::logical_and(f32_tensor({0.f, 2.f, -1.f}), i32({1, 1, 0})), b8({false, true, false}));
  check_allclose(ops::logical_or(f32_tensor({0.f, 0.f, -1.f}), i32({0, 3, 0})), b8({false, true, true}));
  check_allclose(ops::logical_xor(i32({0, 5, 5}), i32({0, 0, 1})), b8({false, true, false}));
  check_allclose(ops::logical_not(f32_tensor({0.f, 0.5f})), b8({true, false}));
  CHECK(ops::logical_not(i32({0, 3})).dtype() == DType::bool_);
}

TEST_CASE("isnan, isinf and isfinite classify floats and call every integer finite") {
  const Tensor x = f32_tensor({1.f, kNaN, kInf, -kInf});
  check_allclose(ops::isnan(x), b8({false, true, false, false}));
  check_allclose(ops::isinf(x), b8({false, false, true, true}));
  check_allclose(ops::isfinite(x), b8({true, false, false, false}));
  check_allclose(ops::isnan(x.astype(DType::float16)), b8({false, true, false, false}));
  check_allclose(ops::isnan(i32({1, 2})), b8({false, false}));
  check_allclose(ops::isinf(i32({1})), b8({false}));
  check_allclose(ops::isfinite(i32({1})), b8({true}));
  CHECK(ops::isinf(x).dtype() == DType::bool_);
}

TEST_CASE("cast converts dtypes, truncating floats to integers") {
  check_allclose(ops::cast(f32_tensor({1.7f, -1.7f}), DType::int32), i32({1, -1}));
  check_allclose(ops::cast(f32_tensor({0.f, 2.f}), DType::bool_), b8({false, true}));
  const Tensor x = f32_tensor({1.f});
  CHECK(ops::cast(x, DType::float32).id() == x.id());
}

TEST_CASE("Binary ops name both shapes as tuples when they cannot broadcast") {
  const Tensor a = ops::zeros({2, 3}), b = ops::zeros({4});
  CHECK_THROWS_WITH_AS(ops::add(a, b), doctest::Contains("add: cannot broadcast shapes (2, 3) and (4,)"), ValueError);
  CHECK_THROWS_WITH_AS(ops::subtract(a, b), doctest::Contains("subtract: cannot broadcast shapes (2, 3) and (4,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(a * b, doctest::Contains("multiply: cannot broadcast shapes (2, 3) and (4,)"), ValueError);
  CHECK_THROWS_WITH_AS(ops::divide(a, b), doctest::Contains("divide: cannot broadcast shapes (2, 3) and (4,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::maximum(a, ops::zeros({3, 3})),
                       doctest::Contains("maximum: cannot broadcast shapes (2, 3) and (3, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(ops::equal(a, b), doctest::Contains("equal: cannot broadcast shapes (2, 3) and (4,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::where(b8({true, false}), a, a),
                       doctest::Contains("where: cannot broadcast shapes (2,) and (2, 3)"), ValueError);
}

TEST_CASE("Elementwise ops reject an undefined tensor") {
  CHECK_THROWS_WITH_AS(ops::add(Tensor(), f32_tensor({1.f})), doctest::Contains("add: received an undefined"), ValueError);
  CHECK_THROWS_WITH_AS(ops::exp(Tensor()), doctest::Contains("exp: received an undefined"), ValueError);
  CHECK_THROWS_WITH_AS(ops::divide(f32_tensor({1.f}), Tensor()), doctest::Contains("divide: received an undefined"),
                       ValueError);
}

TEST_CASE("Gradients of arithmetic ops match finite differences, reduced over broadcast axes") {
  const Tensor m = random_input({2, 3}, 1), v = random_input({3}, 2, 0.5, 1.5);
  const Tensor col = random_input({2, 1}, 3), row = random_input({1, 3}, 4, 0.5, 1.5);
  const std::pair<Tensor, Tensor> pairs[] = {{m, v}, {col, row}, {v, m + 2.0}, {m, Tensor::scalar(1.3)}};
  for (const auto& pair : pairs) {
    const Tensor& x1 = pair.first;
    const Tensor& x2 = pair.second;
    CAPTURE(x1.shape().str());
    CAPTURE(x2.shape().str());
    check_binary_gradient(ops::add, x1, x2);
    check_binary_gradient(ops::subtract, x1, x2);
    check_binary_gradient(ops::multiply, x1, x2);
    check_binary_gradient(ops::divide, x1, x2);
    check_binary_gradient(ops::maximum, x1, x2);
    check_binary_gradient(ops::minimum, x1, x2);
  }
}

TEST_CASE("Gradients of power and mod match finite differences") {
  const Tensor base = random_input({2, 3}, 5, 0.5, 2.0), exponent = random_input({3}, 6, -1.5, 2.5);
  check_binary_gradient(ops::power, base, exponent);
  check_binary_gradient(ops::power, random_input({2, 1}, 7, 0.5, 2.0), random_input({1, 3}, 8, -1.0, 2.0));
  // Away from mod's jumps: x1 / x2 stays inside (1, 2) and (-2, -1).
  check_binary_gradient(ops::mod, Tensor({2.3, 2.9, -2.5, -2.8}), Tensor({1.7, 1.6, 1.9, 1.5}));
  check_binary_gradient(ops::mod, Tensor({2.3, -2.5, 3.1}), Tensor::scalar(1.7));
}

TEST_CASE("power's gradient in the exponent is 0 where the base is 0, as TensorFlow") {
  Tensor base({0.0, 2.0}), exponent({2.0, 3.0});
  GradientTape tape;
  tape.watch(exponent);
  const Tensor g = tape.gradient(ops::power(base, exponent), exponent);
  check_allclose(g, Tensor({0.0, 8.0 * std::log(2.0)}));
}

TEST_CASE("maximum and minimum send a tie's gradient to x1, as TensorFlow") {
  Tensor a({1.0, 2.0}), b({1.0, 3.0});
  GradientTape tape({.persistent = true});
  tape.watch(Tensors{a, b});
  const Tensor hi = ops::maximum(a, b), lo = ops::minimum(a, b);
  check_allclose(tape.gradient(hi, a), Tensor({1.0, 0.0}));
  check_allclose(tape.gradient(hi, b), Tensor({0.0, 1.0}));
  check_allclose(tape.gradient(lo, a), Tensor({1.0, 1.0}));
  check_allclose(tape.gradient(lo, b), Tensor({0.0, 0.0}));
}

TEST_CASE("Gradients of where flow to the picked operand, reduced over broadcast axes") {
  const Tensor cond = Tensor({true, false}, {2, 1});
  check_binary_gradient([&](const Tensor& x1, const Tensor& x2) { return ops::where(cond, x1, x2); },
                        random_input({2, 3}, 9), random_input({3}, 10));
  check_binary_gradient([&](const Tensor& x1, const Tensor& x2) { return ops::where(cond, x1, x2); },
                        random_input({1, 3}, 11), Tensor::scalar(0.5));
}

TEST_CASE("Gradients of unary math ops match finite differences") {
  const Tensor x = Tensor({-2.1, -0.7, -0.2, 0.3, 0.8, 1.9});
  const Tensor positive = Tensor({0.2, 0.7, 1.3, 2.9});
  check_unary_gradient(ops::negative, x);
  check_unary_gradient(ops::abs, x);
  check_unary_gradient(ops::square, x);
  check_unary_gradient(ops::sqrt, positive);
  check_unary_gradient(ops::rsqrt, positive);
  check_unary_gradient(ops::reciprocal, x);
  check_unary_gradient(ops::exp, x);
  check_unary_gradient(ops::log, positive);
  check_unary_gradient(ops::log1p, positive - 0.5);
  check_unary_gradient(ops::expm1, x);
  check_unary_gradient(ops::sin, x);
  check_unary_gradient(ops::cos, x);
  check_unary_gradient(ops::tanh, x);
  check_unary_gradient(ops::sigmoid, x);
  check_unary_gradient(ops::erf, x);
  check_unary_gradient([](const Tensor& t) { return ops::clip(t, -1.0, 1.0); }, x);
  check_unary_gradient([](const Tensor& t) { return t * 3.0 - 1.0 / t; }, x);
}

TEST_CASE("Second derivatives of elementwise ops match finite differences") {
  auto second = [](const UnaryFn& fn, const Tensor& x) {
    check_gradients(
        [&](const Tensors& xs) {
          GradientTape tape;
          tape.watch(xs[0]);
          const Tensor y = ops::sum(fn(xs[0]));
          return tape.gradient(y, xs[0]);
        },
        {x});
  };
  const Tensor x = Tensor({0.3, 0.8, 1.9});
  second(ops::tanh, x);
  second(ops::sigmoid, x);
  second(ops::erf, x);
  second(ops::sqrt, x);
  second(ops::rsqrt, x);
  second([](const Tensor& t) { return ops::power(t, Tensor::scalar(2.5)); }, x);
  second([](const Tensor& t) { return ops::power(Tensor::scalar(1.7), t); }, x);
  second([](const Tensor& t) { return ops::divide(Tensor::scalar(1.0), t * t); }, x);
}

TEST_CASE("Piecewise-constant ops have no gradient, as TensorFlow") {
  Tensor x({0.3, 1.7});
  GradientTape tape({.persistent = true});
  tape.watch(x);
  CHECK_FALSE(tape.gradient(ops::floor(x), x).defined());
  CHECK_FALSE(tape.gradient(ops::ceil(x), x).defined());
  CHECK_FALSE(tape.gradient(ops::round(x), x).defined());
  CHECK_FALSE(tape.gradient(ops::floor_divide(x, Tensor::scalar(0.5)), x).defined());
  CHECK_FALSE(tape.gradient(ops::stop_gradient(x) * 2.0, x).defined());
}

TEST_CASE("stop_gradient keeps the value") {
  const Tensor x = f32_tensor({1.f, 2.f});
  check_allclose(ops::stop_gradient(x), x);
  CHECK(ops::stop_gradient(x).id() != x.id());
}

TEST_CASE("Mixed-dtype ops hand each input a gradient of its own dtype") {
  Tensor a = Tensor({1.f, 2.f}), b = Tensor({3.0, 4.0});
  GradientTape tape({.persistent = true});
  tape.watch(Tensors{a, b});
  const Tensor y = ops::sum(a * b + ops::maximum(a, b) - ops::power(b, a) / a);
  const Tensors g = tape.gradient(y, {a, b});
  CHECK(y.dtype() == DType::float64);
  CHECK(g[0].dtype() == DType::float32);
  CHECK(g[1].dtype() == DType::float64);
  // d/da = b - b^a (log b / a - 1 / a^2); d/db = a + 1 - a b^(a-1) / a
  check_allclose(g[0], f32_tensor({3.f - 3.f * (std::log(3.f) - 1.f), 4.f - 16.f * (std::log(4.f) / 2.f - 0.25f)}), 1e-5,
                 1e-5);
  check_allclose(g[1], Tensor({2.0 - 1.0, 3.0 - 4.0}));
}

TEST_CASE("cast passes gradients between floating dtypes") {
  Tensor x({1.0, 2.0});
  GradientTape tape;
  tape.watch(x);
  const Tensor g = tape.gradient(ops::cast(x, DType::float32) * 2.0, x);
  CHECK(g.dtype() == DType::float64);
  check_allclose(g, Tensor({2.0, 2.0}));
}

}  // TEST_SUITE
