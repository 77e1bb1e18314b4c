#include <keras/keras.h>
#include <keras/core/ops/control_flow.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;

namespace {

Tensor f64(std::initializer_list<double> values) { return Tensor(values); }

// Records what the ops hand over while "tracing", and evaluates it on the host the way a replay
// would: both branches of a cond are traced (so mismatches surface), loops run to completion.
struct FakeTracer final : detail::ControlFlowTracer {
  int conds = 0, loops = 0, scans = 0;
  int64_t last_unroll = 0, last_length = 0;
  std::optional<int64_t> last_maximum;

  Tensors cond(const Tensor& pred, const ops::BranchFn& true_fn, const ops::BranchFn& false_fn) override {
    ++conds;
    Tensors t = true_fn();
    Tensors f = false_fn();
    return pred.item<bool>() ? t : f;
  }
  Tensors while_loop(const ops::LoopCondFn& cond, const ops::LoopBodyFn& body, const Tensors& loop_vars,
                     std::optional<int64_t> maximum_iterations) override {
    ++loops;
    last_maximum = maximum_iterations;
    Tensors vars = loop_vars;
    for (int64_t i = 0; (!maximum_iterations || i < *maximum_iterations) && cond(vars).item<bool>(); ++i) {
      vars = body(vars);
    }
    return vars;
  }
  std::pair<Tensors, Tensors> scan(const ops::ScanFn& f, const Tensors& init, const Tensors& xs, int64_t length,
                                   bool reverse, int64_t unroll) override {
    ++scans;
    last_length = length;
    last_unroll = unroll;
    (void)xs;
    (void)reverse;
    Tensors carry = init;
    std::vector<Tensors> ys;
    for (int64_t i = 0; i < length; ++i) {
      auto [next, y] = f(carry, {});
      carry = next;
      ys.push_back(y);
    }
    Tensors stacked;
    for (size_t j = 0; j < ys[0].size(); ++j) {
      Tensors column;
      for (const Tensors& y : ys) column.push_back(y[j]);
      stacked.push_back(ops::stack(column));
    }
    return {carry, stacked};
  }
};

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("cond runs the branch its scalar predicate chooses") {
    const Tensor x = f64({1, -2});
    auto run = [&](const Tensor& pred) { return ops::cond(pred, [&] { return x * 2.0; }, [&] { return -x; }); };
    check_allclose(run(Tensor::scalar(true)), f64({2, -4}));
    check_allclose(run(Tensor::scalar(false)), f64({-1, 2}));
    check_allclose(run(ops::sum(x) > 0.0), f64({-1, 2}));
    check_allclose(run(Tensor::scalar(3)), f64({2, -4}));  // a numeric scalar: nonzero is true
    int calls = 0;
    const Tensors both = ops::cond(
        true, ops::BranchFn([&] { ++calls; return Tensors{x, x + 1.0}; }),
        ops::BranchFn([&] { ++calls; return Tensors{x, x}; }));
    CHECK(calls == 1);  // eagerly only the chosen branch runs
    REQUIRE(both.size() == 2);
    check_allclose(both[1], f64({2, -1}));
  }

  TEST_CASE("cond rejects a predicate that is not a scalar") {
    const Tensor x = f64({1, 2});
    auto one = [&] { return x; };
    CHECK_THROWS_WITH_AS(ops::cond(x > 0.0, one, one),
                         doctest::Contains("cond: `pred` must be a scalar boolean tensor, got shape (2,) and dtype bool"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::cond(Tensor(), one, one), doctest::Contains("`pred` is None"), ValueError);
  }

  TEST_CASE("gradients flow through the branch cond ran") {
    auto fn = [](const Tensors& in) {
      return ops::cond(ops::sum(in[0]) > 0.0, [&] { return in[0] * in[0] * in[1]; }, [&] { return ops::sin(in[0]); });
    };
    check_gradients(fn, {f64({0.5, 0.25}), f64({1.5, -2.0})});
    check_gradients(fn, {f64({-0.5, 0.25}), f64({1.5, -2.0})});
  }

  TEST_CASE("while_loop iterates while cond holds, over one or several loop variables") {
    const Tensor i = ops::while_loop([](const Tensor& v) { return v < Tensor::scalar(10); },
                                     [](const Tensor& v) { return v + 1.0; }, Tensor::scalar(0));
    CHECK(i.dtype() == DType::int32);
    CHECK(i.item<int32_t>() == 10);
    const Tensors xy = ops::while_loop([](const Tensors& v) { return v[0] < Tensor::scalar(10); },
                                       [](const Tensors& v) { return Tensors{v[0] + 1.0, v[1] + 1.0}; },
                                       {Tensor::scalar(0), Tensor::scalar(1)});
    CHECK(xy[0].item<int32_t>() == 10);
    CHECK(xy[1].item<int32_t>() == 11);
  }

  TEST_CASE("while_loop stops after maximum_iterations") {
    auto always = [](const Tensor&) { return Tensor::scalar(true); };
    auto step = [](const Tensor& v) { return v + 1.0; };
    CHECK(ops::while_loop(always, step, Tensor::scalar(0), 5).item<int32_t>() == 5);
    CHECK(ops::while_loop(always, step, Tensor::scalar(7), 0).item<int32_t>() == 7);
    // The count bounds a loop whose cond would stop later, not one that stops earlier.
    auto below3 = [](const Tensor& v) { return v < Tensor::scalar(3); };
    CHECK(ops::while_loop(below3, step, Tensor::scalar(0), 10).item<int32_t>() == 3);
    CHECK_THROWS_WITH_AS(ops::while_loop(always, step, Tensor::scalar(0), -1),
                         doctest::Contains("`maximum_iterations` must be non-negative, got -1"), ValueError);
  }

  TEST_CASE("gradients flow through every iteration of while_loop") {
    // x * w repeated until the sum passes 4: the iteration count is fixed near the inputs.
    auto fn = [](const Tensors& in) {
      const Tensor w = in[1];
      return ops::while_loop([](const Tensor& v) { return ops::sum(v) < 4.0; },
                             [w](const Tensor& v) { return v * w; }, in[0]);
    };
    check_gradients(fn, {f64({0.3, 0.5}), f64({1.5, 2.0})});
  }

  TEST_CASE("while_loop rejects loop variables that change shape, dtype or count") {
    const Tensor x = Tensor({1.f, 2.f});
    auto once = [](const Tensors& v) { return ops::sum(v[0]) < 4.0; };
    CHECK_THROWS_WITH_AS(
        ops::while_loop(once, [](const Tensors& v) { return Tensors{ops::concatenate({v[0], v[0]})}; }, {x}),
        doctest::Contains("while_loop: loop variable 0 enters the loop as (shape=(2,), dtype=float32) but `body` "
                          "returned (shape=(4,), dtype=float32)"),
        ValueError);
    CHECK_THROWS_WITH_AS(
        ops::while_loop(once, [](const Tensors& v) { return Tensors{ops::cast(v[0], DType::float64)}; }, {x}),
        doctest::Contains("returned (shape=(2,), dtype=float64)"), ValueError);
    CHECK_THROWS_WITH_AS(ops::while_loop(once, [](const Tensors& v) { return Tensors{v[0], v[0]}; }, {x}),
                         doctest::Contains("`body` returned 2 loop variable values for 1"), ValueError);
    CHECK_THROWS_WITH_AS(ops::while_loop([](const Tensors& v) { return v[0] > 0.f; },
                                         [](const Tensors& v) { return v; }, {x}),
                         doctest::Contains("while_loop: `cond` must be a scalar boolean tensor, got shape (2,)"),
                         ValueError);
  }

  TEST_CASE("fori_loop runs body_fun over [lower, upper) with the index as a tensor") {
    const Tensor total = ops::fori_loop(0, 10, [](const Tensor& i, const Tensor& s) { return s + i; }, Tensor::scalar(0));
    CHECK(total.item<int32_t>() == 45);
    const Tensor none = ops::fori_loop(5, 5, [](const Tensor& i, const Tensor& s) { return s + i; }, Tensor::scalar(7));
    CHECK(none.item<int32_t>() == 7);
    const Tensors two = ops::fori_loop(
        1, 4, [](const Tensor& i, const Tensors& s) { return Tensors{s[0] * ops::cast(i, DType::float32), s[1] + 1.f}; },
        {Tensor::scalar(1.f), Tensor::scalar(0.f)});
    CHECK(two[0].item<float>() == 6.f);
    CHECK(two[1].item<float>() == 3.f);
    CHECK_THROWS_WITH_AS(
        ops::fori_loop(0, 2, [](const Tensor&, const Tensor& s) { return ops::stack({s, s}); }, Tensor::scalar(1.f)),
        doctest::Contains("fori_loop: loop state 0 enters the loop as (shape=(), dtype=float32) but `body_fun` "
                          "returned (shape=(2,), dtype=float32)"),
        ValueError);
    CHECK_THROWS_WITH_AS(ops::fori_loop(Tensor::scalar(0.5), Tensor::scalar(2),
                                        [](const Tensor&, const Tensor& s) { return s; }, Tensor::scalar(1.f)),
                         doctest::Contains("must be scalar integers"), ValueError);
  }

  TEST_CASE("gradients flow through fori_loop") {
    auto fn = [](const Tensors& in) {
      const Tensor w = in[1];
      return ops::fori_loop(0, 3, [w](const Tensor&, const Tensor& v) { return ops::tanh(v * w); }, in[0]);
    };
    check_gradients(fn, {f64({0.3, -0.5}), f64({1.5, 0.7})});
  }

  TEST_CASE("scan carries state over the leading axis and stacks the outputs") {
    auto cumsum = [](const Tensor& c, const Tensor& x) { return std::pair{c + x, c + x}; };
    const auto [carry, ys] = ops::scan(cumsum, Tensor::scalar(0.0), f64({1, 2, 3, 4, 5}));
    CHECK(carry.item<double>() == 15.0);
    check_allclose(ys, f64({1, 3, 6, 10, 15}));
    const auto [rcarry, rys] = ops::scan(cumsum, Tensor::scalar(0.0), f64({1, 2, 3, 4, 5}), std::nullopt, true);
    CHECK(rcarry.item<double>() == 15.0);
    check_allclose(rys, f64({15, 14, 12, 9, 5}));  // each y at its slice's position
    // Rows of a matrix, and no xs at all (length only).
    const auto [rows, rowsums] = ops::scan([](const Tensor& c, const Tensor& x) { return std::pair{c + x, ops::sum(x)}; },
                                           ops::zeros({3}, DType::float64),
                                           ops::reshape(ops::arange(6.0, DType::float64), {2, 3}), 2, false, true);
    check_allclose(rows, f64({3, 5, 7}));
    check_allclose(rowsums, f64({3, 12}));
    const auto [count, counts] = ops::scan(
        [](const Tensor& c, const Tensor& x) {
          CHECK_FALSE(x.defined());
          return std::pair{c + 1.0, c};
        },
        Tensor::scalar(0.0), Tensor(), 4);
    CHECK(count.item<double>() == 4.0);
    check_allclose(counts, f64({0, 1, 2, 3}));
    const auto [c2, none] = ops::scan([](const Tensor& c, const Tensor& x) { return std::pair{c * x, Tensor()}; },
                                      Tensor::scalar(1.0), f64({2, 3}));
    CHECK(c2.item<double>() == 6.0);
    CHECK_FALSE(none.defined());  // y None gives ys None, as in JAX
  }

  TEST_CASE("gradients flow through scan to init and xs, forwards and reversed") {
    for (bool reverse : {false, true}) {
      auto fn = [reverse](const Tensors& in) {
        const auto [carry, ys] = ops::scan(
            [](const Tensor& c, const Tensor& x) {
              const Tensor next = ops::tanh(c * x + x);
              return std::pair{next, next * c};
            },
            in[0], in[1], std::nullopt, reverse);
        return ops::concatenate({carry, ops::reshape(ys, {-1})});
      };
      check_gradients(fn, {f64({0.2, -0.4}), ops::reshape(f64({0.5, 1.0, -0.3, 0.8, 0.1, -0.6}), {3, 2})});
    }
  }

  TEST_CASE("scan rejects a mismatched length, a changing carry and a bad unroll") {
    auto cumsum = [](const Tensor& c, const Tensor& x) { return std::pair{c + x, c}; };
    const Tensor xs = f64({1, 2, 3});
    CHECK_THROWS_WITH_AS(ops::scan(cumsum, Tensor::scalar(0.0), xs, 4),
                         doctest::Contains("scan: `length` 4 does not match the leading dimension 3 of xs"), ValueError);
    CHECK_THROWS_WITH_AS(ops::scan(cumsum, Tensor::scalar(0.0)), doctest::Contains("pass `xs` to scan over, or `length`"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::scan(cumsum, Tensor::scalar(0.0), xs, std::nullopt, false, int64_t{0}),
                         doctest::Contains("`unroll` must be a positive integer or a boolean, got 0"), ValueError);
    CHECK_THROWS_WITH_AS(
        ops::scan([](const Tensor& c, const Tensor& x) { return std::pair{ops::stack({c, x}), c}; }, Tensor::scalar(0.0), xs),
        doctest::Contains("scan: carry 0 enters the loop as (shape=(), dtype=float64) but `f` returned (shape=(2,)"),
        ValueError);
    CHECK_THROWS_WITH_AS(ops::scan(cumsum, Tensor::scalar(0.0), Tensor::scalar(1.0)),
                         doctest::Contains("xs must have a leading axis"), ValueError);
  }

  TEST_CASE("under a tracer the ops hand their callables over and still check them") {
    CHECK_FALSE(detail::tracing_active());
    FakeTracer tracer;
    {
      detail::ControlFlowTracerScope scope(&tracer);
      CHECK(detail::tracing_active());
      const Tensor x = f64({1, 2});
      const Tensor y = ops::cond(Tensor::scalar(false), [&] { return x * 3.0; }, [&] { return x - 1.0; });
      check_allclose(y, f64({0, 1}));
      CHECK(tracer.conds == 1);
      // Traced, both branches are recorded, so their outputs are compared as Keras does.
      CHECK_THROWS_WITH_AS(ops::cond(Tensor::scalar(true), [&] { return x; }, [&] { return ops::sum(x); }),
                           doctest::Contains("cond: `true_fn` and `false_fn` should return outputs of the same kind "
                                             "(struct, dtype and shape). Got [(shape=(2,), dtype=float64)] and "
                                             "[(shape=(), dtype=float64)] instead."),
                           ValueError);
      CHECK_THROWS_WITH_AS(ops::cond(x > 0.0, [&] { return x; }, [&] { return x; }),
                           doctest::Contains("must be a scalar boolean tensor"), ValueError);
      // With integer bounds fori_loop is recorded as one scan over (i, state) (differentiable, as in
      // JAX); with tensor bounds as one while_loop.
      const Tensor total = ops::fori_loop(0, 4, [](const Tensor& i, const Tensor& s) { return s + i; }, Tensor::scalar(0));
      CHECK(total.item<int32_t>() == 6);
      CHECK(tracer.scans == 1);
      CHECK(tracer.last_length == 4);
      const Tensor total2 = ops::fori_loop(Tensor::scalar(1), Tensor::scalar(4),
                                           [](const Tensor& i, const Tensor& s) { return s + i; }, Tensor::scalar(0));
      CHECK(total2.item<int32_t>() == 6);
      CHECK(tracer.loops == 1);
      ops::while_loop([](const Tensor& v) { return v < Tensor::scalar(3); }, [](const Tensor& v) { return v + 1.0; },
                      Tensor::scalar(0), 2);
      CHECK(tracer.last_maximum == std::optional<int64_t>(2));
      CHECK_THROWS_WITH_AS(ops::while_loop([](const Tensor& v) { return ops::sum(v) < 4.0; },
                                           [](const Tensor& v) { return ops::concatenate({v, v}); }, x),
                           doctest::Contains("loop variable 0 enters the loop as (shape=(2,), dtype=float64)"),
                           ValueError);
      const auto [carry, ys] = ops::scan([](const Tensor& c, const Tensor&) { return std::pair{c + 1.0, c}; },
                                         Tensor::scalar(0.0), Tensor(), 5, false, true);
      CHECK(tracer.scans == 2);
      CHECK(tracer.last_length == 5);
      CHECK(tracer.last_unroll == 5);  // unroll=true: fully
      CHECK(carry.item<double>() == 5.0);
      check_allclose(ys, f64({0, 1, 2, 3, 4}));
    }
    CHECK_FALSE(detail::tracing_active());
  }
}
