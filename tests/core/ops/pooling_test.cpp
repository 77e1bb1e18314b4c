#include <keras/keras.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

// One pooling case, described in channels_last order: x is (N, spatial..., C).
struct Case {
  Shape shape;
  std::vector<int64_t> pool;
  std::vector<int64_t> strides;  // empty: pool
  std::string padding;
};

// The window along one axis, TensorFlow's way, computed independently of conv_utils.
struct Axis {
  int64_t in, k, s, out, pad;
};

std::vector<Axis> axes_of(const Case& c) {
  std::vector<Axis> axes;
  for (size_t i = 0; i < c.pool.size(); ++i) {
    Axis a{c.shape[static_cast<int64_t>(i + 1)], c.pool[i], c.strides.empty() ? c.pool[i] : c.strides[i], 0, 0};
    if (c.padding == "same") {
      a.out = (a.in + a.s - 1) / a.s;
      a.pad = std::max<int64_t>((a.out - 1) * a.s + a.k - a.in, 0) / 2;
    } else {
      a.out = (a.in - a.k) / a.s + 1;
    }
    axes.push_back(a);
  }
  while (axes.size() < 3) axes.insert(axes.begin(), Axis{1, 1, 1, 1, 0});  // 1-D and 2-D as 3-D
  return axes;
}

// Visits the in-bounds input cells (flat spatial index) of output cell (o0, o1, o2).
template <class F>
void window(const std::vector<Axis>& ax, int64_t o0, int64_t o1, int64_t o2, F&& f) {
  const int64_t o[3] = {o0, o1, o2};
  int64_t lo[3], hi[3];
  for (int i = 0; i < 3; ++i) {
    lo[i] = std::max<int64_t>(o[i] * ax[i].s - ax[i].pad, 0);
    hi[i] = std::min<int64_t>(o[i] * ax[i].s - ax[i].pad + ax[i].k, ax[i].in);
  }
  for (int64_t a = lo[0]; a < hi[0]; ++a)
    for (int64_t b = lo[1]; b < hi[1]; ++b)
      for (int64_t d = lo[2]; d < hi[2]; ++d) f((a * ax[1].in + b) * ax[2].in + d);
}

Shape out_shape(const Case& c) {
  const auto ax = axes_of(c);
  std::vector<int64_t> d{c.shape[0]};
  for (size_t i = 3 - c.pool.size(); i < 3; ++i) d.push_back(ax[i].out);
  d.push_back(c.shape[c.shape.rank() - 1]);
  return Shape(d);
}

// Naive channels_last pooling: max of the in-bounds cells, or their mean.
Tensor reference_pool(const Case& c, const Tensor& x, bool is_max) {
  const auto ax = axes_of(c);
  const std::vector<double> v = x.to_vector<double>();
  const int64_t n = c.shape[0], ch = c.shape[c.shape.rank() - 1];
  const int64_t in_cells = ax[0].in * ax[1].in * ax[2].in;
  std::vector<double> y;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o0 = 0; o0 < ax[0].out; ++o0)
      for (int64_t o1 = 0; o1 < ax[1].out; ++o1)
        for (int64_t o2 = 0; o2 < ax[2].out; ++o2)
          for (int64_t k = 0; k < ch; ++k) {
            double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
            int64_t count = 0;
            window(ax, o0, o1, o2, [&](int64_t cell) {
              const double xv = v[static_cast<size_t>((b * in_cells + cell) * ch + k)];
              acc = is_max ? std::max(acc, xv) : acc + xv;
              ++count;
            });
            y.push_back(is_max ? acc : acc / static_cast<double>(count));
          }
  return Tensor::from_vector(y, out_shape(c)).astype(x.dtype());
}

// Naive gradient: each dy goes to its window's largest cell, or is shared evenly by its cells.
Tensor reference_grad(const Case& c, const Tensor& x, const Tensor& dy, bool is_max) {
  const auto ax = axes_of(c);
  const std::vector<double> v = x.to_vector<double>();
  const std::vector<double> g = dy.to_vector<double>();
  std::vector<double> dx(v.size(), 0.0);
  const int64_t n = c.shape[0], ch = c.shape[c.shape.rank() - 1];
  const int64_t in_cells = ax[0].in * ax[1].in * ax[2].in;
  size_t oi = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o0 = 0; o0 < ax[0].out; ++o0)
      for (int64_t o1 = 0; o1 < ax[1].out; ++o1)
        for (int64_t o2 = 0; o2 < ax[2].out; ++o2)
          for (int64_t k = 0; k < ch; ++k, ++oi) {
            std::vector<size_t> cells;
            window(ax, o0, o1, o2, [&](int64_t cell) { cells.push_back(static_cast<size_t>((b * in_cells + cell) * ch + k)); });
            if (is_max) {
              const size_t best = *std::max_element(cells.begin(), cells.end(), [&](size_t p, size_t q) { return v[p] < v[q]; });
              dx[best] += g[oi];
            } else {
              for (size_t cell : cells) dx[cell] += g[oi] / static_cast<double>(cells.size());
            }
          }
  return Tensor::from_vector(dx, c.shape).astype(x.dtype());
}

// channels_last -> channels_first and back.
Tensor to_first(const Tensor& t) {
  std::vector<int64_t> perm{0, t.rank() - 1};
  for (int64_t i = 1; i < t.rank() - 1; ++i) perm.push_back(i);
  return ops::transpose(t, perm);
}

Tensor run(bool is_max, const Tensor& x, const Case& c, const std::string& data_format) {
  const ops::PoolOptions o{.strides = c.strides, .padding = c.padding, .data_format = data_format};
  return is_max ? ops::max_pool(x, c.pool, o) : ops::average_pool(x, c.pool, o);
}

const std::vector<Case> kCases = {
    {{2, 7, 3}, {2}, {}, "valid"},
    {{2, 9, 3}, {3}, {2}, "same"},
    {{3, 8, 2}, {4}, {3}, "same"},
    {{2, 7, 5, 3}, {2, 2}, {}, "valid"},
    {{2, 7, 6, 4}, {3, 2}, {2, 1}, "same"},
    {{1, 6, 6, 2}, {2, 2}, {1, 1}, "same"},  // even window, stride 1: the extra padding goes after
    {{2, 5, 5, 3}, {4, 4}, {3, 3}, "same"},
    {{2, 9, 8, 5}, {3, 3}, {2, 2}, "valid"},
    {{2, 5, 4, 6, 2}, {2, 3, 2}, {1, 2, 2}, "same"},
    {{1, 4, 5, 3, 2}, {2, 2, 2}, {}, "valid"},
};

}  // namespace

TEST_SUITE("core") {

TEST_CASE("max_pool and average_pool match a naive reference in 1-D, 2-D and 3-D, both layouts and dtypes") {
  uint64_t seed = 100;
  for (const Case& c : kCases) {
    for (DType dtype : {DType::float32, DType::float64}) {
      const Tensor x = random_input(c.shape, ++seed).astype(dtype);
      for (bool is_max : {true, false}) {
        INFO("case " << c.shape.str() << " pool " << c.pool.size() << "-D " << c.padding << " max " << is_max << " "
                     << dtype_name(dtype));
        const Tensor expected = reference_pool(c, x, is_max);
        check_allclose(run(is_max, x, c, "channels_last"), expected, 1e-6, 1e-6);
        check_allclose(run(is_max, to_first(x), c, "channels_first"), to_first(expected), 1e-6, 1e-6);
      }
    }
  }
}

TEST_CASE("max_pool and average_pool gradients match a naive reference in both layouts and dtypes") {
  uint64_t seed = 200;
  for (const Case& c : kCases) {
    for (DType dtype : {DType::float32, DType::float64}) {
      const Tensor x = random_input(c.shape, ++seed).astype(dtype);
      const Tensor dy = random_input(out_shape(c), ++seed).astype(dtype);
      for (bool is_max : {true, false}) {
        for (const std::string format : {"channels_last", "channels_first"}) {
          INFO("case " << c.shape.str() << " " << c.padding << " max " << is_max << " " << dtype_name(dtype) << " "
                       << format);
          const bool first = format == "channels_first";
          const Tensor xi = first ? to_first(x) : x;
          GradientTape tape;
          tape.watch(xi);
          const Tensor y = run(is_max, xi, c, format);
          const Tensor dx = tape.gradient(y, xi, {.output_gradients = {first ? to_first(dy) : dy}});
          const Tensor expected = reference_grad(c, x, dy, is_max);
          check_allclose(dx, first ? to_first(expected) : expected, 1e-5, 1e-6);
        }
      }
    }
  }
}

TEST_CASE("max_pool and average_pool pass finite-difference gradient checks") {
  for (const Case& c : {kCases[1], kCases[5], kCases[8]}) {
    check_gradients([&](const Tensors& a) { return run(true, a[0], c, "channels_last"); }, {random_input(c.shape, 5)});
    check_gradients([&](const Tensors& a) { return run(false, a[0], c, "channels_first"); },
                    {to_first(random_input(c.shape, 6))});
  }
}

TEST_CASE("average_pool's gradient is itself differentiable; max_pool's says it is not") {
  const Case c = kCases[5];
  auto grad_of = [&](bool is_max, const Tensor& x) {
    GradientTape inner;
    inner.watch(x);
    const Tensor y = run(is_max, x, c, "channels_last");
    return inner.gradient(ops::sum(ops::multiply(y, y)), x);
  };
  check_gradients([&](const Tensors& a) { return grad_of(false, a[0]); }, {random_input(c.shape, 8)});
  const Tensor x = random_input(c.shape, 9);
  GradientTape outer;
  outer.watch(x);
  const Tensor g = grad_of(true, x);
  CHECK_THROWS_WITH_AS(outer.gradient(ops::sum(g), x), doctest::Contains("max_pool"), NotImplementedError);
}

TEST_CASE("MaxPooling2D's documented examples: 3x3 input, 2x2 window, stride 1") {
  const Tensor x = Tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f, 9.f}, {1, 3, 3, 1});
  check_allclose(ops::max_pool(x, {2}, {.strides = {1}}), Tensor({5.f, 6.f, 8.f, 9.f}, {1, 2, 2, 1}));
  check_allclose(ops::max_pool(x, {2}, {.strides = {1}, .padding = "same"}),
                 Tensor({5.f, 6.f, 6.f, 8.f, 9.f, 9.f, 8.f, 9.f, 9.f}, {1, 3, 3, 1}));
  // Padded cells leave the count: the last column averages 2 cells, the corner only itself.
  check_allclose(ops::average_pool(x, {2}, {.strides = {1}, .padding = "SAME"}),
                 Tensor({3.f, 4.f, 4.5f, 6.f, 7.f, 7.5f, 7.5f, 8.5f, 9.f}, {1, 3, 3, 1}));
}

TEST_CASE("max_pool keeps float16 and bfloat16 inputs' dtype") {
  const Tensor x = random_input({2, 6, 6, 3}, 4);
  for (DType dtype : {DType::float16, DType::bfloat16}) {
    const Tensor y = ops::max_pool(x.astype(dtype), {2});
    CHECK(y.dtype() == dtype);
    check_allclose(y, ops::max_pool(x.astype(dtype).astype(DType::float32), {2}), 0, 0);
  }
}

TEST_CASE("max_pool and average_pool of an empty batch are empty, and so are their gradients") {
  const Tensor x = ops::zeros({0, 4, 4, 3});
  CHECK(ops::max_pool(x, {2}).shape() == Shape{0, 2, 2, 3});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::average_pool(x, {3}, {.strides = {1}, .padding = "same"});
  CHECK(y.shape() == Shape{0, 4, 4, 3});
  CHECK(tape.gradient(ops::sum(y), x).shape() == x.shape());
}

TEST_CASE("max_pool's data_format defaults to keras::config::image_data_format()") {
  const Tensor x = random_input({2, 3, 6, 4}, 12).astype(DType::float32);
  config::set_image_data_format("channels_first");
  const Tensor y = ops::max_pool(x, {2});
  config::set_image_data_format("channels_last");
  check_allclose(y, ops::max_pool(x, {2}, {.data_format = "channels_first"}));
  CHECK(y.shape() == Shape{2, 3, 3, 2});
}

TEST_CASE("max_pool and average_pool reject bad arguments with Keras-worded errors") {
  const Tensor x = ops::zeros({2, 4, 4, 3});
  CHECK_THROWS_WITH_AS(ops::max_pool(ops::zeros({4, 4}), {2}), doctest::Contains("rank-3"), ValueError);
  CHECK_THROWS_WITH_AS(ops::max_pool(x, {2, 2, 2}), doctest::Contains("pool_size"), ValueError);
  CHECK_THROWS_WITH_AS(ops::average_pool(x, {2}, {.strides = {0}}), doctest::Contains("strides"), ValueError);
  CHECK_THROWS_WITH_AS(ops::max_pool(x, {2}, {.padding = "causal"}), doctest::Contains("padding"), ValueError);
  CHECK_THROWS_WITH_AS(ops::max_pool(x, {2}, {.data_format = "nhwc"}), doctest::Contains("data_format"), ValueError);
  CHECK_THROWS_WITH_AS(ops::max_pool(x, {5}), doctest::Contains("inputs.shape=(2, 4, 4, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(ops::average_pool(ops::zeros({2, 4, 4, 3}, DType::int32), {2}), doctest::Contains("floating"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::max_pool(Tensor(), {2}), doctest::Contains("max_pool"), ValueError);
}

}  // TEST_SUITE
