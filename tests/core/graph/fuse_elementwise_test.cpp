#include <keras/keras.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "support/gradient_check.h"

using namespace keras;

namespace {

// Same dtype, shape and bytes: the fused program must reproduce the unfused kernels exactly.
void check_bits(const Tensor& got, const Tensor& expected) {
  REQUIRE(got.dtype() == expected.dtype());
  REQUIRE(got.shape() == expected.shape());
  const size_t bytes = static_cast<size_t>(got.size()) * dtype_size(got.dtype());
  CHECK(std::memcmp(got.data(), expected.data(), bytes) == 0);
}

Tensor normal(Shape shape, uint64_t seed, DType dtype = DType::float32) {
  return ops::cast(random::normal(std::move(shape), {.seed = seed}), dtype);
}

// Calls f on `args` (tracing on the first call) and on two fresh argument sets, each against the eager body.
void check_replays(Function& f, const Function::Body& body, const std::vector<Tensors>& calls) {
  for (const Tensors& args : calls) {
    const Tensors got = f(args);
    const Tensors expected = body(args);
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) check_bits(got[i], expected[i]);
  }
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("a chain of elementwise ops becomes one fused kernel that matches eager bit for bit") {
  for (DType dtype : {DType::float32, DType::float64}) {
    CAPTURE(dtype_name(dtype));
    Function::Body body = [](const Tensors& a) { return Tensors{ops::exp(a[0]) * a[1] + 1.f}; };
    Function f = function(body);
    check_replays(f, body,
                  {{normal({4, 5}, 1, dtype), normal({4, 5}, 2, dtype)},
                   {normal({4, 5}, 3, dtype), normal({4, 5}, 4, dtype)},
                   {normal({4, 5}, 5, dtype), normal({4, 5}, 6, dtype)}});
    CHECK(f.trace_count() == 1);
    CHECK(f.graph().count("fused_elementwise") == 1);
    CHECK(f.graph().node_count() == 1);
    CHECK(f.graph().str().find("fused_elementwise[exp multiply add]") != std::string::npos);

    Function unfused = function(body, {.optimize = false});
    unfused({normal({4, 5}, 1, dtype), normal({4, 5}, 2, dtype)});
    CHECK(unfused.graph().count("fused_elementwise") == 0);
    CHECK(unfused.graph().node_count() == 3);
  }
}

TEST_CASE("unary ops with an alpha fuse with it, bit for bit") {
  for (DType dtype : {DType::float32, DType::float64}) {
    CAPTURE(dtype_name(dtype));
    // Two slopes that print alike to six digits: each step must keep its own.
    Function::Body body = [](const Tensors& a) {
      return Tensors{ops::elu(ops::leaky_relu(a[0] * 2.f, 0.3000001), 0.7) + ops::leaky_relu(a[0], 0.3000002)};
    };
    Function f = function(body);
    check_replays(f, body, {{normal({6, 7}, 11, dtype)}, {normal({6, 7}, 12, dtype)}, {normal({6, 7}, 13, dtype)}});
    CHECK(f.graph().count("fused_elementwise") == 1);
    CHECK(f.graph().count("unary") == 0);
    CHECK(f.graph().node_count() == 1);
  }
}

TEST_CASE("casts and comparisons fuse with the arithmetic around them") {
  Function::Body body = [](const Tensors& a) {
    const Tensor same = ops::cast(ops::equal(a[0], a[1]), DType::float32);
    return Tensors{same * a[0] - ops::cast(ops::greater(a[0], a[1]), DType::float32),
                   ops::cast(ops::abs(a[0]) * 3.f, DType::int32)};
  };
  Function f = function(body);
  const Tensor x = Tensor({1.f, 2.f, -3.5f, 4.f, 7.25f, 0.f}), y = Tensor({1.f, 0.f, -3.5f, 5.f, 1.f, 0.f});
  check_replays(f, body, {{x, y}, {y, x}, {normal({6}, 7), x}});
  CHECK(f.graph().count("fused_elementwise") == 2);
  CHECK(f.graph().count("cast") == 0);
  CHECK(f.graph().node_count() == 2);
  const Tensors r = f({x, y});
  CHECK(r[0].to_vector<float>() == std::vector<float>{1, -1, -3.5f, 0, -1, 0});
  CHECK(r[1].to_vector<int32_t>() == std::vector<int32_t>{3, 6, 10, 12, 21, 0});
}

TEST_CASE("casts from integer and bool operands load converted into the fused program") {
  Function::Body body = [](const Tensors& a) {
    return Tensors{ops::cast(a[0], DType::float64) * ops::cast(a[1], DType::float64) + 0.5};
  };
  Function f = function(body);
  const Tensor i = Tensor::from_vector<int32_t>({1, -2, 3, 1 << 30}), b = ops::cast(Tensor({1.f, 0.f, 1.f, 1.f}), DType::bool_);
  check_replays(f, body, {{i, b}, {Tensor::from_vector<int32_t>({5, 6, -7, 8}), b}});
  CHECK(f.graph().count("fused_elementwise") == 1);
  CHECK(f.graph().node_count() == 1);
}

TEST_CASE("a float32 chain cast to float64 fuses apart from the float64 chain after it") {
  Function::Body body = [](const Tensors& a) {
    const Tensor wide = ops::cast(ops::sin(a[0]) * a[0], DType::float64);
    return Tensors{(wide - a[1]) * a[1]};
  };
  Function f = function(body);
  check_replays(f, body, {{normal({3, 5}, 1), normal({3, 5}, 2, DType::float64)},
                          {normal({3, 5}, 3), normal({3, 5}, 4, DType::float64)}});
  // The registers hold one float dtype: sin, multiply and the cast's store in float32, the rest in float64.
  CHECK(f.graph().count("fused_elementwise") == 2);
  CHECK(f.graph().node_count() == 2);
}

TEST_CASE("a value used twice is computed once and not fused away") {
  Function::Body body = [](const Tensors& a) {
    const Tensor t = ops::exp(a[0]);
    return Tensors{t * a[1] + t};
  };
  Function f = function(body);
  check_replays(f, body, {{normal({3, 4}, 1), normal({3, 4}, 2)}, {normal({3, 4}, 3), normal({3, 4}, 4)}});
  CHECK(f.graph().count("unary") == 1);
  CHECK(f.graph().count("fused_elementwise") == 1);
  CHECK(f.graph().node_count() == 2);
}

TEST_CASE("a graph output in the middle of a chain stays materialised") {
  Function::Body body = [](const Tensors& a) {
    const Tensor m = a[0] * a[1];
    return Tensors{m, ops::sin(m + 1.f) / a[1]};
  };
  Function f = function(body);
  check_replays(f, body, {{normal({5}, 1), normal({5}, 2)}, {normal({5}, 3), normal({5}, 4)}});
  CHECK(f.graph().count("binary") == 1);
  CHECK(f.graph().count("fused_elementwise") == 1);
  CHECK(f.graph().node_count() == 2);
}

TEST_CASE("fused operands broadcast: rows, columns and scalars") {
  for (DType dtype : {DType::float32, DType::float64}) {
    CAPTURE(dtype_name(dtype));
    Function::Body body = [](const Tensors& a) {
      return Tensors{ops::sqrt(ops::abs(a[0] * a[1] + a[2])) - ops::maximum(a[0], a[3])};
    };
    Function f = function(body);
    check_replays(f, body,
                  {{normal({2, 7, 9}, 1, dtype), normal({9}, 2, dtype), normal({7, 1}, 3, dtype), normal({}, 4, dtype)},
                   {normal({2, 7, 9}, 5, dtype), normal({9}, 6, dtype), normal({7, 1}, 7, dtype), normal({}, 8, dtype)}});
    CHECK(f.graph().count("fused_elementwise") == 1);
    CHECK(f.graph().node_count() == 1);
  }
}

TEST_CASE("NaN and infinities pass through a fused chain as through the separate kernels") {
  Function::Body body = [](const Tensors& a) {
    return Tensors{ops::maximum(a[0], a[1]) * 2.f + ops::cast(ops::isnan(a[0]), DType::float32),
                   ops::minimum(ops::log(a[0]), a[1]) - ops::floor(a[1])};
  };
  Function f = function(body);
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const Tensor x = Tensor({nan, 1.f, -inf, 0.f, -0.f, 3.f}), y = Tensor({1.f, nan, 2.f, -0.f, 0.f, inf});
  check_replays(f, body, {{x, y}, {y, x}});
  CHECK(f.graph().count("fused_elementwise") == 2);
}

TEST_CASE("large float32 chains fuse their loop ops and leave oneDNN's to oneDNN") {
  // From 4096 elements the unfused exp runs on oneDNN, whose results differ from the loop's in the
  // last bits: it stays a node of its own, and the arithmetic around it fuses.
  Function::Body body = [](const Tensors& a) {
    return Tensors{(ops::exp(a[0]) * a[1] + 1.f) * a[0] - a[1] / 3.f};
  };
  Function f = function(body);
  check_replays(f, body, {{normal({128, 256}, 1), normal({128, 256}, 2)}, {normal({128, 256}, 3), normal({128, 256}, 4)}});
  CHECK(f.graph().count("unary") == 1);
  CHECK(f.graph().count("fused_elementwise") == 1);
  CHECK(f.graph().node_count() == 2);
}

TEST_CASE("gradients of a fused loss through keras::function equal eager ones bit for bit") {
  Variable w(normal({6}, 1), {.name = "w"}), b(normal({6}, 2), {.name = "b"});
  Function::Body body = [&](const Tensors& a) {
    GradientTape tape;
    const Tensor y = ops::tanh(a[0] * w.value() + b.value());
    const Tensor loss = ops::mean(ops::square(y - a[1]));
    Tensors grads = tape.gradient(loss, std::vector<Variable>{w, b});
    grads.push_back(loss);
    return grads;
  };
  Function f = function(body);
  check_replays(f, body, {{normal({4, 6}, 3), normal({4, 6}, 4)}, {normal({4, 6}, 5), normal({4, 6}, 6)}});
  CHECK(f.graph().count("fused_elementwise") >= 2);
}

TEST_CASE("micro-benchmark: a five-op chain traced with and without the passes" * doctest::skip()) {
  // Run with: keras_tests -tc="micro-benchmark*" --no-skip
  Function::Body body = [](const Tensors& a) {
    return Tensors{ops::maximum((a[0] * a[1] + 1.f) * a[0] - a[1], Tensor::scalar(0.f))};
  };
  for (const Shape& shape : {Shape{128, 256}, Shape{1024, 1024}}) {
    const Tensors args{normal(shape, 1), normal(shape, 2)};
    const int reps = shape.size() > 100000 ? 20 : 400;
    double median[2];
    for (int fused = 0; fused < 2; ++fused) {
      Function f = function(body, {.optimize = fused == 1});
      f(args);
      std::vector<double> samples;
      for (int s = 0; s < 9; ++s) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int r = 0; r < reps; ++r) f(args);
        samples.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / reps);
      }
      std::sort(samples.begin(), samples.end());
      median[fused] = samples[samples.size() / 2];
    }
    std::printf("chain of 5 ops on float32%s: unfused %.1f us, fused %.1f us (x%.2f)\n", shape.str().c_str(), median[0],
                median[1], median[0] / median[1]);
  }
}

}  // TEST_SUITE
