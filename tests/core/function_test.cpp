#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;

namespace {

Tensor floats(std::vector<float> v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

}  // namespace

TEST_SUITE("core") {

TEST_CASE("keras::function traces once per signature and replays without running the body") {
  int runs = 0;
  Function f = function([&](const Tensors& a) {
    ++runs;
    return Tensors{ops::relu(ops::matmul(a[0], a[1]) + 1.f)};
  });
  const Tensor w = floats({1, -1, 2, 0.5f}, {2, 2});
  Tensor x1 = floats({1, 2, 3, 4}, {2, 2}), x2 = floats({-1, 0, 5, -2}, {2, 2});
  check_allclose(f({x1, w})[0], ops::relu(ops::matmul(x1, w) + 1.f));
  check_allclose(f({x2, w})[0], ops::relu(ops::matmul(x2, w) + 1.f));
  check_allclose(f({x1, w})[0], ops::relu(ops::matmul(x1, w) + 1.f));
  CHECK(runs == 1);
  CHECK(f.trace_count() == 1);
  // A new shape is a new signature.
  Tensor x3 = floats({1, 1}, {1, 2});
  check_allclose(f({x3, w})[0], ops::relu(ops::matmul(x3, w) + 1.f));
  CHECK(runs == 2);
  CHECK(f.trace_count() == 2);
}

TEST_CASE("keras::function keeps a bounded cache of traces") {
  int runs = 0;
  Function f = function(
      [&](const Tensors& a) {
        ++runs;
        return Tensors{a[0] * 2.f};
      },
      {.max_traces = 2});
  for (int64_t n : {1, 2, 3, 1}) f({ops::ones({n})});
  CHECK(runs == 4);  // (1,) was evicted by (3,) and traced again
  f({ops::ones({1})});
  CHECK(runs == 4);
}

TEST_CASE("a replayed function reads and updates variables as they are at each call") {
  Variable v(Tensor({1.f, 2.f}), {.name = "v", .trainable = false});
  Function step = function([&](const Tensors& a) {
    v.assign_add(a[0]);
    return Tensors{v.value() * 10.f};  // reads the value just assigned
  });
  for (int i = 0; i < 3; ++i) step({Tensor({1.f, 0.5f})});
  check_allclose(v.value(), Tensor({4.f, 3.5f}));
  check_allclose(step({Tensor({0.f, 0.f})})[0], Tensor({40.f, 35.f}));
  v.assign(Tensor({0.f, 0.f}));  // an eager assignment between calls is seen by the next replay
  check_allclose(step({Tensor({1.f, 1.f})})[0], Tensor({10.f, 10.f}));
}

TEST_CASE("Adam over replayed training steps equals the same steps run eagerly") {
  auto make = [] {
    utils::set_random_seed(7);
    return std::make_pair(Variable(random::normal({3, 2}), {.name = "w"}), Variable(random::normal({2}), {.name = "b"}));
  };
  auto step_fn = [](Variable w, Variable b, optimizers::Adam opt) {
    return [w, b, opt](const Tensors& a) mutable {
      Tensors grads;
      {
        GradientTape tape;
        Tensor y = ops::matmul(a[0], w.value()) + b.value();
        Tensor loss = ops::mean(ops::square(y - a[1]));
        grads = tape.gradient(loss, std::vector<Variable>{w, b});
      }
      opt.apply_gradients(grads, {w, b});
      return Tensors{};
    };
  };
  const Tensor x = floats({1, 2, 3, -1, 0, 2, 0.5f, 0.5f, 1, 2, -2, 1}, {4, 3});
  const Tensor y = floats({1, 0, 0, 1, 1, 1, -1, 2}, {4, 2});
  auto [we, be] = make();
  optimizers::Adam eager_opt({.learning_rate = optimizers::schedules::ExponentialDecay(0.1, 2, 0.5)});
  auto eager = step_fn(we, be, eager_opt);
  auto [wg, bg] = make();
  optimizers::Adam graph_opt({.learning_rate = optimizers::schedules::ExponentialDecay(0.1, 2, 0.5)});
  Function traced = function(step_fn(wg, bg, graph_opt));
  for (int i = 0; i < 5; ++i) {
    eager({x, y});
    traced({x, y});
  }
  CHECK(traced.trace_count() == 1);
  CHECK(graph_opt.iterations() == 5);
  check_allclose(wg.value(), we.value(), 1e-6, 1e-6);
  check_allclose(bg.value(), be.value(), 1e-6, 1e-6);
}

TEST_CASE("two optimizer steps in one traced body: the second step reads the weights the first updated") {
  auto run = [](bool traced) {
    Variable w(Tensor({1.f, -2.f}), {.name = "w"});
    optimizers::SGD opt({.learning_rate = 0.1});
    auto body = [w, opt](const Tensors& a) mutable {
      Tensor loss;
      for (int step = 0; step < 2; ++step) {
        Tensors grads;
        {
          GradientTape tape;
          loss = ops::sum(ops::square(w.value() * a[0]));
          grads = tape.gradient(loss, std::vector<Variable>{w});
        }
        opt.apply_gradients(grads, {w});
      }
      return Tensors{loss};
    };
    Function f = function(body);
    Tensors last;
    for (int i = 0; i < 3; ++i) last = traced ? f({Tensor({1.f, 0.5f})}) : body({Tensor({1.f, 0.5f})});
    return std::make_pair(w.value(), last[0]);
  };
  const auto eager = run(false);
  const auto graph = run(true);
  check_allclose(graph.first, eager.first, 1e-6, 1e-6);
  check_allclose(graph.second, eager.second, 1e-6, 1e-6);
}

TEST_CASE("random draws in a replayed function advance their generator") {
  random::SeedGenerator traced_gen(42), eager_gen(42);
  Function f = function([&](const Tensors& a) { return Tensors{a[0] * random::uniform({4}, {.seed = traced_gen})}; });
  const Tensor one = ops::ones({4});
  const Tensor a = f({one})[0], b = f({one})[0], c = f({one})[0];
  CHECK(a.to_vector<float>() != b.to_vector<float>());
  CHECK(b.to_vector<float>() != c.to_vector<float>());
  random::uniform({4}, {.seed = eager_gen});
  random::uniform({4}, {.seed = eager_gen});
  check_allclose(c, random::uniform({4}, {.seed = eager_gen}));  // the third draw, as eagerly
}

TEST_CASE("reading a traced tensor on the host inside keras::function names the ops to use") {
  Function f = function([](const Tensors& a) {
    if (ops::sum(a[0]).item<float>() > 0) return Tensors{a[0]};
    return Tensors{-a[0]};
  });
  CHECK_THROWS_WITH_AS(f({Tensor({1.f, 2.f})}), doctest::Contains("ops::cond"), graph::HostReadError);
  // Reading a constant (not computed from the arguments) is fine.
  const Tensor c = Tensor({3.f});
  Function g = function([&](const Tensors& a) { return Tensors{a[0] * c.item<float>()}; });
  check_allclose(g({Tensor({1.f})})[0], Tensor({3.f}));
  // With eager_fallback the body runs eagerly instead.
  Function h = function(
      [](const Tensors& a) {
        if (ops::sum(a[0]).item<float>() > 0) return Tensors{a[0]};
        return Tensors{-a[0]};
      },
      {.eager_fallback = true});
  check_allclose(h({Tensor({-1.f, -2.f})})[0], Tensor({1.f, 2.f}));
  check_allclose(h({Tensor({1.f, 2.f})})[0], Tensor({1.f, 2.f}));
  CHECK(h.ran_eagerly());
}

TEST_CASE("Function::graph prints the traced graph as text and as DOT") {
  Function f = function([](const Tensors& a) { return Tensors{ops::tanh(a[0] + 1.f)}; }, {.name = "f"});
  CHECK_THROWS_AS(f.graph(), ValueError);
  f({ops::ones({2, 3})});
  const std::string text = f.graph().str();
  CHECK(text.find("input[0] : float32(2, 3)") != std::string::npos);
  CHECK(text.find("fused_elementwise[add tanh]") != std::string::npos);  // one kernel since fuse_elementwise
  CHECK(text.find("return (") != std::string::npos);
  const std::string dot = f.graph().dot("f");
  CHECK(dot.rfind("digraph \"f\" {", 0) == 0);
  CHECK(dot.find("->") != std::string::npos);
}

TEST_CASE("dead-code elimination drops unused pure nodes and keeps variable updates") {
  Variable v(Tensor({0.f}), {.name = "v", .trainable = false});
  auto [g, outs, host_read, what] = graph::trace(
      [&](const Tensors& a) {
        Tensor unused = ops::exp(a[0]) * 3.f;  // 2 nodes
        v.assign(a[0] + 1.f);                  // add + assign
        return Tensors{a[0] * 2.f};            // multiply
      },
      {Tensor({1.f})});
  CHECK(g->node_count() == 5);
  CHECK(g->eliminate_dead_code() == 2);
  CHECK(g->node_count() == 3);
  CHECK(g->count("assign") == 1);
  check_allclose(g->run({Tensor({2.f})})[0], Tensor({4.f}));
  check_allclose(v.value(), Tensor({3.f}));
}

TEST_CASE("common-subexpression elimination computes a repeated op once") {
  auto [g, outs, host_read, what] = graph::trace(
      [](const Tensors& a) {
        Tensor p = a[0] * a[1], q = a[0] * a[1];
        return Tensors{ops::exp(p) + ops::exp(q)};
      },
      {Tensor({1.f, 2.f}), Tensor({0.5f, 1.f})});
  CHECK(g->count("binary") == 3);
  CHECK(g->eliminate_common_subexpressions() == 2);  // q is p, then exp(q) is exp(p)
  g->eliminate_dead_code();
  CHECK(g->count("binary") == 2);
  CHECK(g->count("unary") == 1);
  check_allclose(g->run({Tensor({1.f, 0.f}), Tensor({2.f, 3.f})})[0], Tensor({2 * std::exp(2.f), 2.f}));
}

TEST_CASE("constant folding evaluates ops on constants once") {
  const Tensor c = Tensor({1.f, 2.f});
  auto [g, outs, host_read, what] = graph::trace([&](const Tensors& a) { return Tensors{a[0] + ops::exp(c) * 2.f}; },
                                           {Tensor({0.f, 0.f})});
  CHECK(g->node_count() == 3);
  CHECK(g->fold_constants() == 2);
  CHECK(g->node_count() == 1);
  check_allclose(g->run({Tensor({1.f, 1.f})})[0], Tensor({1 + 2 * std::exp(1.f), 1 + 2 * std::exp(2.f)}), 1e-5);
}

TEST_CASE("matmul + bias + relu fuse into one kernel call") {
  const Tensor w = floats({1, -2, 0.5f, 1, 3, -1}, {3, 2}), b = Tensor({0.5f, -4.f});
  auto body = [&](const Tensors& a) { return Tensors{ops::relu(ops::matmul(a[0], w) + b)}; };
  auto [g, outs, host_read, what] = graph::trace(body, {floats({1, 2, 3, -1, 0, 2}, {2, 3})});
  CHECK(g->node_count() == 3);
  CHECK(g->fuse_matmul_bias_relu() == 1);
  CHECK(g->node_count() == 1);
  CHECK(g->str().find("fused bias + relu") != std::string::npos);
  const Tensor x = floats({-1, 2, 0.5f, 4, 1, -3}, {2, 3});
  check_allclose(g->run({x})[0], body({x})[0]);
}

TEST_CASE("conv + bias + relu fuse into one kernel call, bias or relu alone too") {
  utils::set_random_seed(3);
  const Tensor w = random::normal({3, 3, 2, 4}), b = random::normal({4});
  const Tensor x = random::normal({2, 7, 6, 2});
  struct Case {
    std::function<Tensor(const Tensor&)> f;
    size_t nodes;  // before fusion
    std::string attrs;
  };
  const std::vector<Case> cases{
      {[&](const Tensor& a) { return ops::relu(ops::conv(a, w, {.padding = "same"}) + b); }, 3, "fused bias + relu"},
      {[&](const Tensor& a) { return b + ops::conv(a, w, {.strides = {2}}); }, 2, "fused bias"},
      {[&](const Tensor& a) { return ops::relu(ops::conv(a, w)); }, 2, "fused relu"},
  };
  for (const Case& c : cases) {
    auto [g, outs, host_read, what] = graph::trace([&](const Tensors& a) { return Tensors{c.f(a[0])}; }, {x});
    CHECK(g->node_count() == c.nodes);
    CHECK(g->fuse_conv_bias_relu() == 1);
    CHECK(g->node_count() == 1);
    CHECK(g->count("conv_forward") == 1);
    CHECK(g->str().find(c.attrs) != std::string::npos);
    const Tensor x2 = random::normal(x.shape());
    check_allclose(g->run({x2})[0], c.f(x2), 1e-5);
  }
  // A bias that is not per channel, or a relu whose input is read elsewhere, stays unfused.
  const Tensor not_bias = random::normal({6, 4});
  auto [g, outs, host_read, what] = graph::trace(
      [&](const Tensors& a) {
        const Tensor y = ops::conv(a[0], w, {.padding = "same"});
        return Tensors{y + not_bias, ops::relu(y)};
      },
      {x});
  CHECK(g->fuse_conv_bias_relu() == 0);
}

TEST_CASE("a traced training step with conv, bias and relu as ops fuses them and matches eager") {
  utils::set_random_seed(4);
  Variable w(random::normal({3, 3, 1, 2}) * 0.3f), b(Tensor({0.1f, -0.2f}));
  const Tensor x = random::normal({4, 5, 5, 1});
  auto step = [&](const Tensors& a) {
    GradientTape tape;
    const Tensor loss = ops::sum(ops::square(ops::relu(ops::conv(a[0], w.value()) + b.value())));
    const Tensors grads = tape.gradient(loss, std::vector<Variable>{w, b});
    return Tensors{loss, grads[0], grads[1]};
  };
  const Tensors eager = step({x});
  Function f(step);
  f({x});
  const Tensors traced = f({x});
  CHECK(f.graph().str().find("(fused bias + relu)") != std::string::npos);
  CHECK(f.graph().str().find("unary[relu]") == std::string::npos);  // relu's gradient reads its output
  for (size_t i = 0; i < eager.size(); ++i) check_allclose(traced[i], eager[i], 1e-5);
}

TEST_CASE("a traced step applies relu's gradient to the max pool's output gradient, as eager computes it") {
  utils::set_random_seed(5);
  Variable w(random::normal({3, 3, 2, 4}) * 0.3f), b(Tensor({0.1f, -0.2f, 0.05f, 0.0f}));
  const Tensor x = random::normal({3, 9, 8, 2});
  auto step = [&](const std::string& pooling) {
    return [&, pooling](const Tensors& a) {
      GradientTape tape;
      const Tensor y = ops::relu(ops::conv(a[0], w.value(), {.padding = "same"}) + b.value());
      // Odd sizes: the last row is in no window, and "same" pads the columns.
      const Tensor p = pooling == "max" ? ops::max_pool(y, {2, 2}, {.padding = "same"}) : ops::average_pool(y, {2, 2});
      const Tensor loss = ops::sum(ops::square(p - 0.1f));
      const Tensors grads = tape.gradient(loss, std::vector<Variable>{w, b});
      return Tensors{loss, grads[0], grads[1]};
    };
  };
  for (const std::string pooling : {"max", "avg"}) {
    INFO(pooling);
    const Tensors eager = step(pooling)({x});
    Function f(step(pooling));
    f({x});
    const Tensors traced = f({x});
    const std::string text = f.graph().str();
    CHECK((text.find("(before max pool's gradient)") != std::string::npos) == (pooling == "max"));
    for (size_t i = 0; i < eager.size(); ++i) check_allclose(traced[i], eager[i], 1e-6);
  }
  // A relu whose output feeds the pool and is read again: its gradient sums two paths, and stays.
  auto two_paths = [&](const Tensors& a) {
    GradientTape tape;
    tape.watch(a[0]);
    const Tensor y = ops::relu(a[0]);
    const Tensor loss = ops::sum(ops::max_pool(y, {2, 2})) + ops::sum(y * 0.5f);
    return Tensors{tape.gradient(loss, a[0])};
  };
  const Tensor eager = two_paths({x})[0];
  Function g(two_paths);
  g({x});
  CHECK(g.graph().str().find("(before max pool's gradient)") == std::string::npos);
  check_allclose(g({x})[0], eager, 1e-6);
}

}  // TEST_SUITE
