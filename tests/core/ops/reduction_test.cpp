#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "support/gradient_check.h"

using namespace keras;
using keras::ops::Axes;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

// x[i, j, k] = 12 i + 4 j + k, for i < 2, j < 3, k < 4.
Tensor iota234(DType dtype = DType::float32) { return ops::reshape(ops::arange(24.0, dtype), {2, 3, 4}); }

const Tensor k22 = Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2});

}  // namespace

TEST_SUITE("core") {

TEST_CASE("sum reduces over None, one axis, several axes and negative axes") {
  const Tensor x = iota234();
  const Tensor all = ops::sum(x);
  CHECK(all.shape() == Shape{});
  CHECK(all.item<float>() == 276.f);
  check_allclose(ops::sum(x, 0), Tensor({12.f, 14.f, 16.f, 18.f, 20.f, 22.f, 24.f, 26.f, 28.f, 30.f, 32.f, 34.f}, {3, 4}));
  // sum over k of 12 i + 4 j + k = 48 i + 16 j + 6
  check_allclose(ops::sum(x, -1), Tensor({6.f, 22.f, 38.f, 54.f, 70.f, 86.f}, {2, 3}));
  check_allclose(ops::sum(x, {0, 1}), Tensor({60.f, 66.f, 72.f, 78.f}));
  check_allclose(ops::sum(x, {-2, -3}), Tensor({60.f, 66.f, 72.f, 78.f}));
}

TEST_CASE("sum over the non-contiguous axes {0, 2} of a 3-D tensor") {
  // sum over i, k of 12 i + 4 j + k = 60 + 32 j
  const Tensor x = iota234();
  check_allclose(ops::sum(x, {0, 2}), Tensor({60.f, 92.f, 124.f}));
  check_allclose(ops::sum(x, {2, 0}), Tensor({60.f, 92.f, 124.f}));
  check_allclose(ops::sum(x, {0, -1}, true), Tensor({60.f, 92.f, 124.f}, {1, 3, 1}));
  check_allclose(ops::sum(x.astype(DType::float64), {0, 2}), Tensor({60.0, 92.0, 124.0}));
  check_allclose(ops::sum(x.astype(DType::int32), {0, 2}), Tensor({60, 92, 124}));
}

TEST_CASE("keepdims keeps reduced axes as size 1") {
  const Tensor x = iota234();
  CHECK(ops::sum(x, Axes(), true).shape() == Shape{1, 1, 1});
  CHECK(ops::sum(x, 1, true).shape() == Shape{2, 1, 4});
  CHECK(ops::mean(x, {0, 2}, true).shape() == Shape{1, 3, 1});
  CHECK(ops::max(x, -1, true).shape() == Shape{2, 3, 1});
  CHECK(ops::prod(x, 0, true).shape() == Shape{1, 3, 4});
  CHECK(ops::all(x, 1, true).shape() == Shape{2, 1, 4});
  CHECK(ops::logsumexp(x, {1, 2}, true).shape() == Shape{2, 1, 1});
  CHECK(ops::var(x, 2, true).shape() == Shape{2, 3, 1});
}

TEST_CASE("sum over no axes returns the values") {
  const Tensor x = iota234();
  check_allclose(ops::sum(x, Axes(std::vector<int64_t>{})), x);
}

TEST_CASE("sum of integers keeps the dtype, sum of booleans counts in int32") {
  const Tensor s = ops::sum(Tensor({1, 2, 3}));
  CHECK(s.dtype() == DType::int32);
  CHECK(s.item<int32_t>() == 6);
  const Tensor b = ops::sum(Tensor({true, false, true}));
  CHECK(b.dtype() == DType::int32);
  CHECK(b.item<int32_t>() == 2);
}

TEST_CASE("reductions keep int64, uint8 and half dtypes") {
  const Tensor i64 = ops::sum(Tensor({1, 2, 3}).astype(DType::int64));
  CHECK(i64.dtype() == DType::int64);
  CHECK(i64.item<int64_t>() == 6);
  const Tensor u8 = ops::max(Tensor({1, 200, 3}).astype(DType::uint8));
  CHECK(u8.dtype() == DType::uint8);
  CHECK(u8.item<uint8_t>() == 200);
  const Tensor h = ops::sum(k22.astype(DType::float16), 0);
  CHECK(h.dtype() == DType::float16);
  check_allclose(h, Tensor({4.f, 6.f}));
  const Tensor bf = ops::mean(k22.astype(DType::bfloat16));
  CHECK(bf.dtype() == DType::bfloat16);
  CHECK(bf.item<float>() == 2.5f);
}

TEST_CASE("sum of a million float32 values stays accurate") {
  // oneDNN accumulates in float32; the double-accumulating loops are the reference.
  const Tensor x = random::uniform({1000, 1000}, {.minval = 0.0, .maxval = 1.0, .seed = 3});
  const Tensor x64 = x.astype(DType::float64);
  check_allclose(ops::sum(x), ops::sum(x64), 1e-5);
  check_allclose(ops::mean(x), ops::mean(x64), 1e-5);
  check_allclose(ops::sum(x, 1), ops::sum(x64, 1), 1e-5);
  check_allclose(ops::sum(x, 0), ops::sum(x64, 0), 1e-5);
  check_allclose(ops::mean(x, -1), ops::mean(x64, -1), 1e-5);
}

TEST_CASE("reductions of shapes the fast paths take agree with float64") {
  // Trailing axes of float32 go to oneDNN, others to the loops; each pattern against float64 loops.
  const Tensor x = random_input({16, 32, 64}, 4).astype(DType::float32);
  const Tensor x64 = x.astype(DType::float64);
  for (const auto& axes : {Axes(2), Axes({1, 2}), Axes(0), Axes(1), Axes({0, 2}), Axes({0, 1}), Axes()}) {
    check_allclose(ops::sum(x, axes), ops::sum(x64, axes), 1e-5, 1e-5);
    check_allclose(ops::mean(x, axes), ops::mean(x64, axes), 1e-5, 1e-6);
    check_allclose(ops::max(x, axes), ops::max(x64, axes), 0, 0);
    check_allclose(ops::min(x, axes), ops::min(x64, axes), 0, 0);
  }
}

TEST_CASE("mean divides by the number of reduced elements") {
  const Tensor x = iota234();
  CHECK(ops::mean(x).item<float>() == 11.5f);
  // mean over j of 12 i + 4 j + k = 12 i + 4 + k
  check_allclose(ops::mean(x, 1), Tensor({4.f, 5.f, 6.f, 7.f, 16.f, 17.f, 18.f, 19.f}, {2, 4}));
  check_allclose(ops::mean(x, {0, 2}), Tensor({7.5f, 11.5f, 15.5f}));
}

TEST_CASE("mean of int32 is float32") {
  const Tensor x({1, 2, 3, 4}, {2, 2});
  const Tensor m = ops::mean(x);
  CHECK(m.dtype() == DType::float32);
  CHECK(m.item<float>() == 2.5f);
  check_allclose(ops::mean(x, 0), Tensor({2.f, 3.f}));
  CHECK(ops::mean(x, 0).dtype() == DType::float32);
}

TEST_CASE("max and min reduce over axes") {
  const Tensor x = iota234();
  CHECK(ops::max(x).item<float>() == 23.f);
  CHECK(ops::min(x).item<float>() == 0.f);
  check_allclose(ops::max(x, 2), Tensor({3.f, 7.f, 11.f, 15.f, 19.f, 23.f}, {2, 3}));
  check_allclose(ops::min(x, {0, 1}), Tensor({0.f, 1.f, 2.f, 3.f}));
  check_allclose(ops::max(x, {0, 2}), Tensor({15.f, 19.f, 23.f}));
  const Tensor i = ops::max(Tensor({3, -7, 5}));
  CHECK(i.dtype() == DType::int32);
  CHECK(i.item<int32_t>() == 5);
  CHECK(ops::min(Tensor({3, -7, 5})).item<int32_t>() == -7);
}

TEST_CASE("max and min propagate NaN, as NumPy") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> values(100, 1.f);
  values[37] = nan;
  const Tensor x = Tensor::from_vector(values, {100});
  CHECK(std::isnan(ops::max(x).item<float>()));
  CHECK(std::isnan(ops::min(x).item<float>()));
  const Tensor m = ops::max(Tensor({1.f, nan, 2.f, 3.f}, {2, 2}), 0);
  CHECK(m.to_vector<float>()[0] == 2.f);
  CHECK(std::isnan(m.to_vector<float>()[1]));
  CHECK(std::isnan(ops::sum(x).item<float>()));
}

TEST_CASE("max and min of an empty axis are errors") {
  CHECK_THROWS_WITH_AS(ops::max(ops::zeros({2, 0}), 1), doctest::Contains("empty"), ValueError);
  CHECK_THROWS_WITH_AS(ops::min(ops::zeros({0})), doctest::Contains("empty"), ValueError);
}

TEST_CASE("sum and mean of an empty axis are 0 and NaN") {
  check_allclose(ops::sum(ops::zeros({2, 0}), 1), Tensor({0.f, 0.f}));
  CHECK(std::isnan(ops::mean(ops::zeros({0})).item<float>()));
}

TEST_CASE("prod multiplies over axes") {
  CHECK(ops::prod(k22).item<float>() == 24.f);
  check_allclose(ops::prod(k22, 0), Tensor({3.f, 8.f}));
  check_allclose(ops::prod(k22, 1), Tensor({2.f, 12.f}));
  const Tensor i = ops::prod(Tensor({2, 3, 4}));
  CHECK(i.dtype() == DType::int32);
  CHECK(i.item<int32_t>() == 24);
  CHECK(ops::prod(ops::zeros({0})).item<float>() == 1.f);
}

TEST_CASE("var and std are biased, over None and axes") {
  const Tensor v = ops::var(Tensor({1.f, 2.f, 3.f, 4.f}));
  CHECK(v.item<float>() == doctest::Approx(1.25));
  CHECK(ops::std(Tensor({1.f, 2.f, 3.f, 4.f})).item<float>() == doctest::Approx(std::sqrt(1.25)));
  check_allclose(ops::var(k22, 0), Tensor({1.f, 1.f}));
  check_allclose(ops::var(k22, -1), Tensor({0.25f, 0.25f}));
  check_allclose(ops::std(k22, 1), Tensor({0.5f, 0.5f}));
  // var over {0, 2} of 12 i + 4 j + k: the j offset cancels; i contributes 36, k contributes 1.25
  check_allclose(ops::var(iota234(), {0, 2}), Tensor({37.25f, 37.25f, 37.25f}), 1e-6, 1e-5);
  const Tensor vi = ops::var(Tensor({1, 2, 3, 4}));
  CHECK(vi.dtype() == DType::float32);
  CHECK(vi.item<float>() == doctest::Approx(1.25));
}

TEST_CASE("logsumexp is stable for large and small values") {
  CHECK(ops::logsumexp(Tensor({1000.f, 1000.f})).item<float>() == doctest::Approx(1000.0 + std::log(2.0)));
  CHECK(ops::logsumexp(Tensor({-1000.f, -1000.f})).item<float>() == doctest::Approx(-1000.0 + std::log(2.0)));
  CHECK(ops::logsumexp(Tensor({1.0, 2.0, 3.0})).item<double>() ==
        doctest::Approx(3.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0))));
  const Tensor rows = ops::logsumexp(Tensor({1000.f, 1000.f, 0.f, 0.f}, {2, 2}), 1);
  check_allclose(rows, Tensor({1000.f + static_cast<float>(std::log(2.0)), static_cast<float>(std::log(2.0))}));
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(ops::logsumexp(Tensor({-inf, -inf})).item<float>() == -inf);
  CHECK(ops::logsumexp(Tensor({inf, 0.f})).item<float>() == inf);
}

TEST_CASE("all and any reduce truth values") {
  const Tensor b({true, false, true, true}, {2, 2});
  CHECK_FALSE(ops::all(b).item<bool>());
  CHECK(ops::any(b).item<bool>());
  CHECK(ops::all(b, 0).to_vector<bool>() == std::vector<bool>{true, false});
  CHECK(ops::all(b, 1).to_vector<bool>() == std::vector<bool>{false, true});
  CHECK(ops::any(b, 1).to_vector<bool>() == std::vector<bool>{true, true});
  CHECK(ops::any(Tensor({false, false}, {1, 2}), -1).to_vector<bool>() == std::vector<bool>{false});
  const Tensor f({0.f, 2.f, 0.f, 0.f}, {2, 2});
  CHECK(ops::any(f, 1).dtype() == DType::bool_);
  CHECK(ops::any(f, 1).to_vector<bool>() == std::vector<bool>{true, false});
  CHECK(ops::all(Tensor({1, 2, 3})).item<bool>());
  CHECK(ops::all(ops::zeros({0})).item<bool>());
  CHECK_FALSE(ops::any(ops::zeros({0})).item<bool>());
}

TEST_CASE("argmax and argmin return the first index on ties") {
  const Tensor x({1.f, 3.f, 3.f, 5.f, 0.f, 5.f}, {2, 3});
  const Tensor am = ops::argmax(x, 1);
  CHECK(am.dtype() == DType::int32);
  CHECK(am.to_vector<int32_t>() == std::vector<int32_t>{1, 0});
  CHECK(ops::argmax(x, 0).to_vector<int32_t>() == std::vector<int32_t>{1, 0, 1});
  CHECK(ops::argmax(x, -1).to_vector<int32_t>() == std::vector<int32_t>{1, 0});
  CHECK(ops::argmax(x).item<int32_t>() == 3);
  CHECK(ops::argmin(x).item<int32_t>() == 4);
  CHECK(ops::argmin(x, 1).to_vector<int32_t>() == std::vector<int32_t>{0, 1});
  CHECK(ops::argmin(Tensor({2, 1, 1})).item<int32_t>() == 1);
  CHECK(ops::argmax(x, 1, true).shape() == Shape{2, 1});
  CHECK(ops::argmax(x, std::nullopt, true).shape() == Shape{1, 1});
}

TEST_CASE("argmax reports empty input") {
  CHECK_THROWS_WITH_AS(ops::argmax(ops::zeros({0})), doctest::Contains("argmax"), ValueError);
  CHECK_THROWS_WITH_AS(ops::argmin(ops::zeros({2, 0}), 1), doctest::Contains("argmin"), ValueError);
  CHECK(ops::argmax(ops::zeros({0, 3}), 1).shape() == Shape{0});
}

TEST_CASE("reductions reject repeated and out-of-range axes") {
  const Tensor x = iota234();
  CHECK_THROWS_WITH_AS(ops::sum(x, {0, 0}), doctest::Contains("axis 0 is repeated"), ValueError);
  CHECK_THROWS_WITH_AS(ops::mean(x, {2, -1}), doctest::Contains("axis 2 is repeated in axis (2, -1)"), ValueError);
  CHECK_THROWS_WITH_AS(ops::sum(x, 3), doctest::Contains("sum: axis 3 is out of bounds for a tensor of rank 3"), ValueError);
  CHECK_THROWS_WITH_AS(ops::max(x, -4), doctest::Contains("max: axis -4 is out of bounds"), ValueError);
  CHECK_THROWS_WITH_AS(ops::var(x, 5), doctest::Contains("out of bounds"), ValueError);
  CHECK_THROWS_WITH_AS(ops::logsumexp(x, {1, 1}), doctest::Contains("repeated"), ValueError);
  CHECK_THROWS_WITH_AS(ops::argmax(x, 3), doctest::Contains("argmax: axis 3 is out of bounds"), ValueError);
  CHECK_THROWS_WITH_AS(ops::sum(Tensor()), doctest::Contains("None"), ValueError);
}

TEST_CASE("the gradient of max is split evenly among ties") {
  const Tensor x({1.0, 3.0, 3.0});
  GradientTape tape;
  tape.watch(x);
  check_allclose(tape.gradient(ops::max(x), x), Tensor({0.0, 0.5, 0.5}));
  const Tensor y({2.0, 2.0, 2.0, 1.0, 5.0, 1.0}, {2, 3});
  GradientTape tape2;
  tape2.watch(y);
  check_allclose(tape2.gradient(ops::min(y, 1), y), Tensor({1.0 / 3, 1.0 / 3, 1.0 / 3, 0.5, 0.0, 0.5}, {2, 3}));
}

TEST_CASE("the gradient of prod is exact with zeros") {
  auto grad = [](const Tensor& x, Axes axis) {
    GradientTape tape;
    tape.watch(x);
    return tape.gradient(ops::prod(x, axis), x);
  };
  check_allclose(grad(Tensor({2.0, 3.0, 4.0}), {}), Tensor({12.0, 8.0, 6.0}));
  check_allclose(grad(Tensor({2.0, 0.0, 3.0}), {}), Tensor({0.0, 6.0, 0.0}));  // one zero
  check_allclose(grad(Tensor({0.0, 2.0, 0.0}), {}), Tensor({0.0, 0.0, 0.0}));  // two zeros
  check_allclose(grad(Tensor({2.0, 0.0, 3.0, 0.0, 0.0, 5.0, 1.0, 2.0, 3.0}, {3, 3}), 1),
                 Tensor({0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 6.0, 3.0, 2.0}, {3, 3}));
}

TEST_CASE("reduction gradients match finite differences") {
  const Tensor x = random_input({2, 3, 4}, 11);
  struct Case {
    Axes axis;
    bool keepdims;
  };
  for (const Case& c : {Case{Axes(), false}, Case{Axes(1), false}, Case{Axes({0, 2}), false}, Case{Axes(-1), true}}) {
    const Axes& axis = c.axis;
    const bool keepdims = c.keepdims;
    CAPTURE(keepdims);
    auto check = [&](Tensor (*op)(const Tensor&, Axes, bool)) {
      check_gradients([&](const Tensors& t) { return op(t[0], axis, keepdims); }, {x});
    };
    check(ops::sum);
    check(ops::mean);
    check(ops::max);
    check(ops::min);
    check(ops::prod);
    check(ops::var);
    check(ops::std);
    check(ops::logsumexp);
  }
}

TEST_CASE("logsumexp gradients stay finite at large values") {
  check_gradients([](const Tensors& t) { return ops::logsumexp(t[0], 1); }, {random_input({2, 3}, 12, 999.0, 1001.0)});
}

}  // TEST_SUITE
