#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;

namespace {

Tensor floats(std::vector<float> v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// x * 2 where sum(x) > 0, else x - 1.
Tensors piecewise(const Tensors& a) {
  const Tensor x = a[0];
  return Tensors{ops::cond(ops::sum(x) > 0.f, [&] { return x * 2.f; }, [&] { return x - 1.f; })};
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("a traced cond replays the branch each call's values choose, from one trace") {
  int runs = 0;
  Function f = function([&](const Tensors& a) {
    ++runs;
    return piecewise(a);
  });
  const Tensor pos = floats({1, 2, -0.5f}, {3}), neg = floats({-1, -2, 0.5f}, {3});
  for (const Tensor& x : {pos, neg, neg, pos}) check_allclose(f({x})[0], piecewise({x})[0]);
  CHECK(runs == 1);
  CHECK(f.trace_count() == 1);
  CHECK(f.graph().count("cond") == 1);
  // Both branches are sub-graphs of the one node, not nodes of the function's graph.
  CHECK(f.graph().count("binary") == 1);  // the comparison
  const std::string text = f.graph().str();
  CHECK(contains(text, "cond sub-graph 0:"));
  CHECK(contains(text, "cond sub-graph 1:"));
  CHECK(contains(text, "= outer %"));
  CHECK(contains(f.graph().dot("f"), "subgraph \"cluster_"));
}

TEST_CASE("an if on a tensor's value in a traced body names ops::cond; the same body with ops::cond traces") {
  Function with_if = function([](const Tensors& a) {
    const Tensor x = a[0];
    if (ops::sum(x).item<float>() > 0) return Tensors{x * 2.f};  // Python-style if on a traced tensor
    return Tensors{x - 1.f};
  });
  CHECK_THROWS_WITH_AS(with_if({floats({1, 2}, {2})}), doctest::Contains("use ops::cond"), graph::HostReadError);
  Function with_cond = function(piecewise);
  check_allclose(with_cond({floats({1, 2}, {2})})[0], floats({2, 4}, {2}));
  check_allclose(with_cond({floats({-1, -2}, {2})})[0], floats({-2, -3}, {2}));
  CHECK(with_cond.trace_count() == 1);
  // Reading a captured tensor inside a branch is caught too.
  Function read_inside = function([](const Tensors& a) {
    const Tensor x = a[0];
    return Tensors{ops::cond(ops::sum(x) > 0.f, [&] { return x * (ops::sum(x).item<float>()); }, [&] { return x; })};
  });
  CHECK_THROWS_AS(read_inside({floats({1, 2}, {2})}), graph::HostReadError);
}

TEST_CASE("a tensor computed inside a traced branch and used outside it is refused") {
  Function f = function([](const Tensors& a) {
    const Tensor x = a[0];
    Tensor leaked;
    ops::cond(ops::sum(x) > 0.f, [&] {
      leaked = x * 2.f;
      return x;
    }, [&] { return x; });
    return Tensors{leaked + 1.f};
  });
  CHECK_THROWS_WITH_AS(f({floats({1, 2}, {2})}), doctest::Contains("return it from the callable instead"), ValueError);
}

TEST_CASE("a cond on a constant predicate inside a trace runs only the chosen branch") {
  Function f = function([](const Tensors& a) {
    return Tensors{ops::cond(Tensor::scalar(true), [&] { return a[0] + 1.f; }, [&] { return a[0] * 100.f; })};
  });
  check_allclose(f({floats({1, 2}, {2})})[0], floats({2, 3}, {2}));
  CHECK(f.graph().count("cond") == 0);
}

TEST_CASE("a traced while_loop runs as many iterations as each call's values need") {
  auto body = [](const Tensors& a) {
    // Doubles x until its sum reaches the limit; counts the iterations.
    return ops::while_loop([&](const Tensors& v) { return ops::sum(v[0]) < a[1]; },
                           [](const Tensors& v) { return Tensors{v[0] * 2.f, v[1] + 1}; },
                           Tensors{a[0], Tensor::scalar(int32_t{0})});
  };
  Function f = function(body);
  for (float limit : {10.f, 1000.f, 0.f, 50.f}) {
    const Tensors args{floats({1, 2}, {2}), Tensor::scalar(limit)};
    const Tensors traced = f(args), eager = body(args);
    check_allclose(traced[0], eager[0]);
    CHECK(traced[1].item<int32_t>() == eager[1].item<int32_t>());
  }
  CHECK(f.trace_count() == 1);
  CHECK(f.graph().count("while") == 1);
  // maximum_iterations stops it early.
  Function bounded = function([](const Tensors& a) {
    return Tensors{ops::while_loop([](const Tensor& v) { return ops::sum(v) < 1000.f; },
                                   [](const Tensor& v) { return v * 2.f; }, a[0], 3)};
  });
  check_allclose(bounded({floats({1, 1}, {2})})[0], floats({8, 8}, {2}));
  check_allclose(bounded({floats({400, 400}, {2})})[0], floats({800, 800}, {2}));
  CHECK(contains(bounded.graph().str(), "while[maximum_iterations=3]"));
}

TEST_CASE("fori_loop traces as a while loop with tensor bounds and as a scan with integer bounds") {
  auto tensor_bounds = [](const Tensors& a) {
    return Tensors{ops::fori_loop(Tensor::scalar(int32_t{0}), a[1],
                                  [&](const Tensor& i, const Tensor& s) { return s + a[0] * i.astype(DType::float32); },
                                  ops::zeros({2}))};
  };
  Function f = function(tensor_bounds);
  for (int32_t n : {3, 0, 5}) {
    const Tensors args{floats({1, -1}, {2}), Tensor::scalar(n)};
    check_allclose(f(args)[0], tensor_bounds(args)[0]);
  }
  CHECK(f.trace_count() == 1);
  CHECK(f.graph().count("while") == 1);
  auto int_bounds = [](const Tensors& a) {
    return Tensors{ops::fori_loop(1, 4, [&](const Tensor& i, const Tensor& s) { return s * a[0] + i.astype(DType::float32); },
                                  ops::ones({2}))};
  };
  Function g = function(int_bounds);
  for (const Tensor& x : {floats({1, 2}, {2}), floats({-1, 0.5f}, {2})}) check_allclose(g({x})[0], int_bounds({x})[0]);
  CHECK(g.graph().count("scan") == 1);
  CHECK(g.graph().count("while") == 0);
}

TEST_CASE("a traced scan equals the eager one, forwards and reversed, with a captured tensor") {
  for (bool reverse : {false, true}) {
    auto body = [reverse](const Tensors& a) {
      const Tensor w = a[1];
      auto [carry, ys] = ops::scan([&](const Tensor& c, const Tensor& x) {
        const Tensor next = c * w + x;
        return std::pair<Tensor, Tensor>{next, ops::sum(next)};
      }, ops::zeros({2}), a[0], std::nullopt, reverse, true);
      return Tensors{carry, ys};
    };
    Function f = function(body);
    for (const Tensor& xs : {floats({1, 2, 3, 4, 5, 6}, {3, 2}), floats({-1, 0, 2, 1, 0.5f, 3}, {3, 2})}) {
      const Tensors args{xs, floats({0.5f, 2}, {2})};
      const Tensors traced = f(args), eager = body(args);
      check_allclose(traced[0], eager[0]);
      check_allclose(traced[1], eager[1]);
    }
    CHECK(f.trace_count() == 1);
    CHECK(f.graph().count("scan") == 1);
    CHECK(contains(f.graph().str(), std::string("reverse=") + (reverse ? "true" : "false") + " unroll=3"));
  }
}

TEST_CASE("variables assigned in a traced branch or loop body change once per replayed iteration") {
  Variable hits(Tensor::scalar(0.f), {.name = "hits", .trainable = false});
  Variable total(Tensor::scalar(0.f), {.name = "total", .trainable = false});
  Function f = function([&](const Tensors& a) {
    const Tensor x = a[0];
    const Tensor y = ops::cond(x > 0.f, [&] {
      hits.assign_add(Tensor::scalar(1.f));
      return x;
    }, [&] { return -x; });
    // The loop reads `total` each iteration, after the previous iteration's assignment.
    ops::fori_loop(Tensor::scalar(int32_t{0}), Tensor::scalar(int32_t{3}), [&](const Tensor&, const Tensor& s) {
      total.assign_add(y);
      return s;
    }, Tensor::scalar(0.f));
    return Tensors{total.value()};
  });
  // The first call traces: tracing both branches and the loop body must not leave their updates behind.
  check_allclose(f({Tensor::scalar(2.f)})[0], Tensor::scalar(6.f));
  CHECK(hits.value().item<float>() == 1.f);
  check_allclose(f({Tensor::scalar(-1.f)})[0], Tensor::scalar(9.f));
  CHECK(hits.value().item<float>() == 1.f);
  check_allclose(f({Tensor::scalar(0.5f)})[0], Tensor::scalar(10.5f));
  CHECK(hits.value().item<float>() == 2.f);
  CHECK(f.trace_count() == 1);
  CHECK(f.graph().count("cond") == 1);
  CHECK(f.graph().count("while") == 1);
}

TEST_CASE("graph passes keep control nodes with effects and drop unused pure ones") {
  Variable v(Tensor::scalar(0.f), {.name = "v", .trainable = false});
  Function f = function([&](const Tensors& a) {
    const Tensor x = a[0];
    // Unused and pure: dead.
    ops::cond(x > 0.f, [&] { return x * 3.f; }, [&] { return x; });
    // Unused but assigns: kept.
    ops::cond(x > 0.f, [&] {
      v.assign(x);
      return x;
    }, [&] { return x; });
    // A value used only inside a branch stays alive until the node runs.
    const Tensor y = ops::exp(x);
    return Tensors{ops::cond(x > 1.f, [&] { return y + y; }, [&] { return y; })};
  });
  check_allclose(f({Tensor::scalar(2.f)})[0], Tensor::scalar(2 * std::exp(2.f)));
  check_allclose(f({Tensor::scalar(0.5f)})[0], Tensor::scalar(std::exp(0.5f)));
  CHECK(v.value().item<float>() == 0.5f);  // the unused cond assigned at the second call too
  CHECK(f.graph().count("cond") == 2);
  CHECK(f.graph().count("unary") == 1);
  // Common subexpressions inside a branch are optimised too.
  Function g = function([](const Tensors& a) {
    const Tensor x = a[0];
    return Tensors{ops::cond(x > 0.f, [&] { return ops::exp(x) + ops::exp(x); }, [&] { return x; })};
  });
  check_allclose(g({Tensor::scalar(1.f)})[0], Tensor::scalar(2 * std::exp(1.f)));
  CHECK(contains(g.graph().str(), "view[cse]"));
}

TEST_CASE("control flow nests: a cond inside a while body inside a cond branch") {
  auto body = [](const Tensors& a) {
    const Tensor x = a[0];
    return Tensors{ops::cond(ops::sum(x) > 0.f, [&] {
      return ops::while_loop([](const Tensor& v) { return ops::sum(v) < 100.f; }, [](const Tensor& v) {
        return ops::cond(ops::max(v) > 10.f, [&] { return v * 3.f; }, [&] { return v * 2.f; });
      }, x);
    }, [&] { return x * 0.f; })};
  };
  Function f = function(body);
  for (const Tensor& x : {floats({1, 2}, {2}), floats({3, 1}, {2}), floats({-5, 1}, {2}), floats({50, 60}, {2})}) {
    check_allclose(f({x})[0], body({x})[0]);
  }
  CHECK(f.trace_count() == 1);
  CHECK(f.graph().count("cond") == 1);
  CHECK(contains(f.graph().str(), "while sub-graph 1:"));
}

TEST_CASE("a GradientTape in a traced body differentiates through cond, in either branch") {
  Variable w(floats({0.5f, -1.f}, {2}), {.name = "w"});
  auto body = [&](const Tensors& a) {
    const Tensor x = a[0];
    GradientTape tape;
    tape.watch(x);
    const Tensor loss = ops::cond(ops::sum(x) > 0.f, [&] { return ops::sum(ops::square(x) * w.value()); },
                                  [&] { return ops::sum(ops::sin(x)) + ops::sum(w.value()); });
    const Tensors grads = tape.gradient(loss, Tensors{x, w.value()});
    return Tensors{loss, grads[0], grads[1]};
  };
  Function f = function(body);
  for (const Tensor& x : {floats({1, 2}, {2}), floats({-1, -2}, {2}), floats({3, -1}, {2})}) {
    const Tensors traced = f({x}), eager = body({x});
    for (size_t i = 0; i < 3; ++i) check_allclose(traced[i], eager[i]);
  }
  CHECK(f.trace_count() == 1);
  CHECK(f.graph().count("cond") == 2);  // the forward and its gradient
  // Hand-computed: the true branch gives 2 x w for x and x^2 for w.
  const Tensors out = f({floats({1, 2}, {2})});
  check_allclose(out[1], floats({1, -4}, {2}));
  check_allclose(out[2], floats({1, 4}, {2}));
}

TEST_CASE("second derivatives through a traced cond") {
  auto body = [](const Tensors& a) {
    const Tensor x = a[0];
    GradientTape outer;
    outer.watch(x);
    Tensor dy;
    {
      GradientTape inner;
      inner.watch(x);
      const Tensor y = ops::cond(x > 0.f, [&] { return x * x * x; }, [&] { return ops::square(x); });
      dy = inner.gradient(y, x);
    }
    return Tensors{dy, outer.gradient(dy, x)};
  };
  Function f = function(body);
  const Tensors p = f({Tensor::scalar(2.f)});
  check_allclose(p[0], Tensor::scalar(12.f));  // 3 x^2
  check_allclose(p[1], Tensor::scalar(12.f));  // 6 x
  const Tensors n = f({Tensor::scalar(-3.f)});
  check_allclose(n[0], Tensor::scalar(-6.f));  // 2 x
  check_allclose(n[1], Tensor::scalar(2.f));
  CHECK(f.trace_count() == 1);
}

TEST_CASE("a GradientTape in a traced body differentiates through scan and an integer-bounded fori_loop") {
  for (bool reverse : {false, true}) {
    auto body = [reverse](const Tensors& a) {
      const Tensor xs = a[0], w = a[1];
      GradientTape tape;
      tape.watch(xs);
      tape.watch(w);
      auto [carry, ys] = ops::scan([&](const Tensor& c, const Tensor& x) {
        const Tensor next = ops::tanh(c * w + x);
        return std::pair<Tensor, Tensor>{next, next * next};
      }, ops::zeros({2}), xs, std::nullopt, reverse);
      const Tensor loss = ops::sum(ys) + ops::sum(carry * 3.f);
      const Tensors grads = tape.gradient(loss, Tensors{xs, w});
      return Tensors{loss, grads[0], grads[1]};
    };
    Function f = function(body);
    for (const Tensor& xs : {floats({0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f}, {3, 2}), floats({1, -1, 0, 2, -0.5f, 0.25f}, {3, 2})}) {
      const Tensors args{xs, floats({0.5f, -1.5f}, {2})};
      const Tensors traced = f(args), eager = body(args);
      for (size_t i = 0; i < 3; ++i) check_allclose(traced[i], eager[i], 1e-5, 1e-6);
    }
    CHECK(f.trace_count() == 1);
    CHECK(f.graph().count("scan") == 3);  // forward, carries recomputed, backward
  }
  auto loop = [](const Tensors& a) {
    const Tensor x = a[0];
    GradientTape tape;
    tape.watch(x);
    const Tensor y = ops::fori_loop(0, 3, [&](const Tensor&, const Tensor& s) { return s * x + 1.f; }, ops::ones({2}));
    return Tensors{y, tape.gradient(ops::sum(y), x)};
  };
  Function g = function(loop);
  for (const Tensor& x : {floats({1, 2}, {2}), floats({-0.5f, 3}, {2})}) {
    const Tensors traced = g({x}), eager = loop({x});
    check_allclose(traced[0], eager[0]);
    check_allclose(traced[1], eager[1]);
  }
  // y = x^3 + x^2 + x + 1: dy/dx = 3x^2 + 2x + 1.
  check_allclose(g({floats({1, 2}, {2})})[1], floats({6, 17}, {2}));
}

TEST_CASE("gradients through a traced while_loop say what to use instead; eagerly they work") {
  auto loop = [](const Tensors& a) {
    GradientTape tape;
    tape.watch(a[0]);
    const Tensor y = ops::while_loop([](const Tensor& v) { return ops::sum(v) < 10.f; },
                                     [](const Tensor& v) { return v * 2.f; }, a[0]);
    return Tensors{tape.gradient(ops::sum(y), a[0])};
  };
  check_allclose(loop({floats({1, 1}, {2})})[0], floats({8, 8}, {2}));
  Function f = function(loop);
  CHECK_THROWS_WITH_AS(f({floats({1, 1}, {2})}), doctest::Contains("ops::fori_loop with static integer bounds"),
                       NotImplementedError);
  // A loop the tape does not watch needs no gradient.
  Function unwatched = function([](const Tensors& a) {
    GradientTape tape;
    tape.watch(a[1]);
    const Tensor y = ops::while_loop([](const Tensor& v) { return ops::sum(v) < 10.f; },
                                     [](const Tensor& v) { return v * 2.f; }, a[0]);
    return Tensors{tape.gradient(ops::sum(y * a[1]), a[1])};
  });
  check_allclose(unwatched({floats({1, 1}, {2}), floats({1, 2}, {2})})[0], floats({8, 8}, {2}));
}

TEST_CASE("host code other than random draws inside a traced branch is refused") {
  Variable w(floats({1, 2}, {2}), {.name = "w"});
  optimizers::SGD sgd({.learning_rate = 0.1});
  Function f = function([&](const Tensors& a) {
    const Tensor x = a[0];
    ops::cond(ops::sum(x) > 0.f, [&] {
      sgd.apply_gradients({x}, {w});
      return x;
    }, [&] { return x; });
    return Tensors{};
  });
  CHECK_THROWS_WITH_AS(f({floats({1, 1}, {2})}), doctest::Contains("apply_gradients[SGD]' inside ops::cond"),
                       NotImplementedError);
  check_allclose(w.value(), floats({1, 2}, {2}));
  // A random draw in a branch traces.
  Function noisy = function([](const Tensors& a) {
    const Tensor x = a[0];
    return Tensors{ops::cond(ops::sum(x) > 0.f, [&] { return x + random::uniform({2}); }, [&] { return x; })};
  });
  const Tensor up = noisy({floats({1, 1}, {2})})[0];
  CHECK(ops::all(up >= 1.f).item<bool>());
  check_allclose(noisy({floats({-1, -1}, {2})})[0], floats({-1, -1}, {2}));
}

}  // TEST_SUITE

TEST_SUITE("training") {

TEST_CASE("fit traces a custom train_step whose loss uses ops::cond and matches run_eagerly") {
  class CondStep : public Model {
   public:
    using Model::Model;
    Logs train_step(const Batch& data) override {
      const std::vector<Variable> weights = trainable_weights();
      Tensors y_pred, grads;
      Tensor loss;
      {
        GradientTape tape;
        y_pred = (*this)(data.x, true);
        const Tensor err = ops::mean(ops::square(y_pred[0] - data.y[0]));
        // Batches of positive mean label weigh double; the others use the RMSE.
        loss = ops::cond(ops::mean(data.y[0]) > 0.f, [&] { return err * 2.f; }, [&] { return ops::sqrt(err); });
        grads = tape.gradient(loss, weights);
      }
      optimizer().apply_gradients(grads, weights);
      return compute_metrics(data, y_pred, loss);
    }
  };
  auto run = [](bool eagerly, std::vector<Tensor>& weights) {
    utils::set_random_seed(3);
    KerasTensor in = Input({2});
    CondStep model(in, layers::Dense(1)(in));
    model.compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = eagerly});
    const Tensor x = random::normal({16, 2});
    const Tensor y = ops::sum(x, 1, true) * 3.f;
    // Both branches run: some batches of 4 have a positive mean label and some a negative one.
    const std::vector<float> labels = y.to_vector<float>();
    int positive = 0;
    for (size_t b = 0; b < 16; b += 4) positive += labels[b] + labels[b + 1] + labels[b + 2] + labels[b + 3] > 0 ? 1 : 0;
    CHECK(positive > 0);
    CHECK(positive < 4);
    History h = model.fit(x, y, {.batch_size = 4, .epochs = 3, .verbose = 0, .shuffle = false});
    for (const Variable& v : model.weights()) weights.push_back(v.value());
    if (!eagerly) {
      CHECK_FALSE(model.train_function().ran_eagerly());
      CHECK(model.train_function().trace_count() == 1);
      CHECK(model.train_function().graph().count("cond") == 2);
    }
    return h;
  };
  std::vector<Tensor> eager, traced;
  const History he = run(true, eager), ht = run(false, traced);
  REQUIRE(eager.size() == traced.size());
  for (size_t i = 0; i < eager.size(); ++i) check_allclose(traced[i], eager[i], 1e-4, 1e-5);
  CHECK(ht["loss"].back() == doctest::Approx(he["loss"].back()).epsilon(1e-4));
}

}  // TEST_SUITE
