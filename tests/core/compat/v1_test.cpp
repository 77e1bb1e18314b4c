#include <keras/keras.h>
#include <keras/core/compat/v1.h>

#include <doctest/doctest.h>

#include <cmath>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
namespace tf = keras::compat::v1;

namespace {

keras::Tensor f32(std::initializer_list<float> values, Shape shape) { return keras::Tensor(values, std::move(shape)); }

// Each test builds in a fresh graph of its own.
struct FreshGraph {
  tf::Graph graph;
  tf::Graph::DefaultScope scope = graph.as_default();
};

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("compat.v1: a fed placeholder flows through ops that Session::run evaluates") {
    FreshGraph g;
    const tf::Tensor x = tf::placeholder(DType::float32, Shape{None, 2}, "x");
    const tf::Tensor w = tf::constant(f32({1, 2, 3, 4, 5, 6}, {2, 3}));
    const tf::Tensor y = tf::matmul(x, w) + 1.0;
    CHECK(x.name() == "x:0");
    CHECK(y.op().type() == "Add");
    CHECK(tf::matmul(x, w).name() == "MatMul_1:0");  // the second MatMul gets a fresh name
    REQUIRE(y.shape().has_value());
    CHECK(*y.shape() == Shape{None, 3});
    tf::Session sess;
    const keras::Tensor out = sess.run(y, {{x, f32({1, 0, 0, 1}, {2, 2})}});
    check_allclose(out, f32({2, 3, 4, 5, 6, 7}, {2, 3}));
    // The same graph with another batch size: None takes any.
    CHECK(sess.run(y, {{x, ops::ones({5, 2})}}).shape() == Shape{5, 3});
    CHECK(g.graph.get_tensor_by_name("x:0") == x);
    CHECK(g.graph.get_operation_by_name("MatMul").type() == "MatMul");
  }

  TEST_CASE("compat.v1: feeds are checked against the placeholder with TensorFlow's messages") {
    FreshGraph g;
    const tf::Tensor x = tf::placeholder(DType::float32, Shape{None, 2}, "x");
    const tf::Tensor labels = tf::placeholder(DType::int32, Shape{None}, "labels");
    const tf::Tensor y = tf::reduce_sum(x);
    tf::Session sess;
    CHECK_THROWS_WITH_AS(sess.run(y, {{x, ops::ones({2, 3})}}),
                         doctest::Contains("Cannot feed value of shape (2, 3) for Tensor 'x:0', which has shape (None, 2)"),
                         ValueError);
    CHECK_THROWS_WITH_AS(sess.run(y, {{x, ops::ones({2})}}), doctest::Contains("Cannot feed value of shape (2,)"),
                         ValueError);
    CHECK_THROWS_WITH_AS(sess.run(labels, {{labels, ops::ones({2})}}),
                         doctest::Contains("Cannot feed value of dtype float32 for Tensor 'labels:0', which has dtype int32"),
                         ValueError);
    CHECK_THROWS_WITH_AS(sess.run(y), doctest::Contains("You must feed a value for placeholder tensor 'x' with dtype "
                                                        "float32 and shape (None, 2)"),
                         ValueError);
    // uint8 pixels into a float32 placeholder convert, as NumPy arrays do in TF1.
    const keras::Tensor sum = sess.run(y, {{x, ops::full({1, 2}, 3, DType::uint8)}});
    CHECK(sum.dtype() == DType::float32);
    CHECK(sum.item<float>() == 6.f);
    CHECK(sess.run(labels, {{labels, keras::Tensor({uint8_t{4}, uint8_t{7}})}}).dtype() == DType::int32);
  }

  TEST_CASE("compat.v1: a run evaluates only what its fetches need, each node once") {
    FreshGraph g;
    const tf::Tensor unfed = tf::placeholder(DType::float32, Shape{3}, "unfed");
    const tf::Variable never_initialized(ops::ones({2}), {.name = "never"});
    const tf::Tensor a = tf::constant(f32({1, 2}, {2}));
    const tf::Tensor doubled = a * 2.0;
    const tf::Tensor never_sum = tf::reduce_sum(never_initialized);
    const tf::Tensor uses_unfed = tf::reduce_sum(unfed) + never_sum;
    const tf::Tensor r = tf::random_normal({4}, {.seed = 3});
    const tf::Tensor r_plus_zero = r + 0.0;
    tf::Session sess;
    check_allclose(sess.run(doubled), f32({2, 4}, {2}));  // neither the placeholder nor the variable is needed
    const keras::Tensors out = sess.run({doubled, r, r_plus_zero, tf::no_op()});
    REQUIRE(out.size() == 4);
    check_allclose(out[1], out[2], 0, 0);  // r was evaluated once in this run
    CHECK_FALSE(out[3].defined());         // an operation fetches as None
    const keras::Tensor again = sess.run(r);
    CHECK(again.to_vector<float>() != out[1].to_vector<float>());  // a new run draws again
    // Feeding any tensor replaces what it computes, and what only it needed is not evaluated.
    check_allclose(sess.run(uses_unfed, {{unfed, ops::ones({3})}, {never_sum, keras::Tensor::scalar(0.f)}}),
                   keras::Tensor::scalar(3.f));
  }

  TEST_CASE("compat.v1: variables are initialized, read and assigned per session") {
    FreshGraph g;
    tf::Variable w(f32({1, 2}, {2}), {.name = "W"});
    const tf::Tensor bump = w.assign_add(tf::constant(f32({10, 10}, {2})));
    tf::Session sess;
    CHECK_THROWS_WITH_AS(sess.run(w), doctest::Contains("Attempting to use uninitialized value W"), RuntimeError);
    sess.run(tf::global_variables_initializer());
    check_allclose(sess.run(w), f32({1, 2}, {2}));
    check_allclose(sess.run(bump), f32({11, 12}, {2}));
    check_allclose(sess.run(w), f32({11, 12}, {2}));
    tf::Session other;  // another session has its own values
    CHECK_THROWS_AS(other.run(w), RuntimeError);
    other.run(w.initializer());
    check_allclose(other.run(w), f32({1, 2}, {2}));
    CHECK(tf::global_variables().size() == 1);
    CHECK(tf::global_variables()[0] == w);
    CHECK(w.name() == "W:0");
    CHECK_THROWS_WITH_AS(tf::Variable(tf::placeholder(DType::float32, Shape{None})),
                         doctest::Contains("fully defined shape, got (None,)"), ValueError);
  }

  TEST_CASE("compat.v1: gradients are the tape's, None where ys does not depend on x") {
    FreshGraph g;
    const tf::Tensor x = tf::placeholder(DType::float64, Shape{2}, "x");
    tf::Variable w(keras::Tensor({3.0, -1.0}), {.name = "w"});
    tf::Variable unrelated(keras::Tensor({1.0}), {.name = "unrelated"});
    const tf::Tensor y = tf::reduce_sum(tf::square(x) * w);
    const std::vector<tf::Tensor> grads = tf::gradients(y, {x, w, unrelated});
    REQUIRE(grads.size() == 3);
    CHECK_FALSE(grads[2].defined());
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    const keras::Tensors out = sess.run({grads[0], grads[1], y}, {{x, keras::Tensor({0.5, 2.0})}});
    check_allclose(out[0], keras::Tensor({3.0, -4.0}));  // 2 x w
    check_allclose(out[1], keras::Tensor({0.25, 4.0}));  // x^2
    check_allclose(out[2], keras::Tensor::scalar(-3.25));
    CHECK_THROWS_AS(tf::gradients(tf::reduce_sum(grads[0]), {x}), NotImplementedError);
  }

  TEST_CASE("compat.v1: GradientDescentOptimizer.minimize applies var -= learning_rate * grad") {
    FreshGraph g;
    const tf::Tensor x = tf::placeholder(DType::float32, Shape{None, 1}, "x");
    const tf::Tensor y = tf::placeholder(DType::float32, Shape{None, 1}, "y");
    tf::Variable w(tf::zeros({1, 1}), {.name = "w"});
    tf::Variable b(tf::zeros({1}), {.name = "b"});
    const tf::Tensor loss = tf::reduce_mean(tf::square(tf::matmul(x, w) + b - y));
    const tf::Operation train = tf::train::GradientDescentOptimizer(0.1).minimize(loss);
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    const keras::Tensor xs = f32({1, 2, 3, 4}, {4, 1});
    const keras::Tensor ys = f32({3, 5, 7, 9}, {4, 1});  // y = 2x + 1
    // One step from zero: dL/dw = -2 mean(x y) = -35, dL/db = -2 mean(y) = -12.
    const keras::Tensors first = sess.run({loss, train}, {{x, xs}, {y, ys}});
    CHECK(first[0].item<float>() == doctest::Approx(41.0));  // the loss before the update
    CHECK(sess.run(w).item<float>() == doctest::Approx(3.5));
    CHECK(sess.run(b).item<float>() == doctest::Approx(1.2));
    for (int step = 0; step < 300; ++step) sess.run(train, {{x, xs}, {y, ys}});
    CHECK(sess.run(loss, {{x, xs}, {y, ys}}).item<float>() < 1e-3f);
    CHECK(sess.run(w).item<float>() == doctest::Approx(2.0).epsilon(0.02));
  }

  TEST_CASE("compat.v1: AdamOptimizer takes TF1's first Adam step and keeps its state per session") {
    FreshGraph g;
    tf::Variable w(keras::Tensor({1.f, -2.f}), {.name = "w"});
    const tf::Tensor loss = tf::reduce_sum(tf::square(w));
    const auto grads_and_vars = tf::train::AdamOptimizer(0.1).compute_gradients(loss);
    REQUIRE(grads_and_vars.size() == 1);
    const tf::Operation train = tf::train::AdamOptimizer(0.1).apply_gradients(grads_and_vars);
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    sess.run(train);
    // The first step moves each weight by learning_rate * g / (|g| + 1e-8 * ...) = 0.1 * sign(g).
    check_allclose(sess.run(w), keras::Tensor({0.9f, -1.9f}), 1e-5, 1e-5);
    sess.run(train);
    const std::vector<float> after = sess.run(w).to_vector<float>();
    CHECK(after[0] < 0.9f);
    tf::Session fresh;  // fresh optimizer state: its first step is again exactly 0.1 * sign(g)
    fresh.run(tf::global_variables_initializer());
    fresh.run(train);
    check_allclose(fresh.run(w), keras::Tensor({0.9f, -1.9f}), 1e-5, 1e-5);
  }

  TEST_CASE("compat.v1: minimize without any gradient is an error, as in TensorFlow") {
    FreshGraph g;
    tf::Variable w(ops::ones({2}), {.name = "w"});
    const tf::Tensor x = tf::placeholder(DType::float32, Shape{2});
    CHECK_THROWS_WITH_AS(tf::train::GradientDescentOptimizer(0.1).minimize(tf::reduce_sum(x)),
                         doctest::Contains("No gradients provided for any variable"), ValueError);
  }

  TEST_CASE("compat.v1: static shapes are inferred and mismatches reported when the graph is built") {
    FreshGraph g;
    const tf::Tensor x = tf::placeholder(DType::float32, Shape{None, 784});
    const tf::Tensor w = tf::zeros({785, 10});
    CHECK_THROWS_WITH_AS(tf::matmul(x, w),
                         doctest::Contains("Dimensions must be equal, but are 784 and 785 for 'MatMul' with input "
                                           "shapes: (None, 784), (785, 10)."),
                         ValueError);
    CHECK_THROWS_WITH_AS(tf::placeholder(DType::float32, Shape{None, 3}) + tf::zeros({4}),
                         doctest::Contains("Dimensions must be equal, but are 3 and 4 for 'Add'"), ValueError);
    CHECK(*tf::reduce_mean(x, std::vector<int64_t>{1}).shape() == Shape{None});
    CHECK(*tf::reduce_mean(x).shape() == Shape{});
    CHECK(*tf::argmax(x, 1).shape() == Shape{None});
    CHECK(tf::argmax(x, 1).dtype() == DType::int64);
    CHECK(*tf::reshape(x, Shape{-1, 28, 28}).shape() == Shape{None, 28, 28});
    CHECK_FALSE(tf::placeholder(DType::float32).shape().has_value());
  }

  TEST_CASE("compat.v1: graphs are separate and as_default chooses where ops go") {
    tf::Graph first;
    tf::Graph second;
    tf::Tensor a, b;
    {
      auto scope = first.as_default();
      a = tf::constant(keras::Tensor::scalar(1.f));
      CHECK(tf::get_default_graph() == first);
    }
    {
      auto scope = second.as_default();
      b = tf::constant(keras::Tensor::scalar(2.f));
    }
    CHECK(a.graph() == first);
    CHECK_THROWS_WITH_AS(a + b, doctest::Contains("must be from the same graph"), ValueError);
    tf::Session sess(first);
    CHECK(sess.run(a).item<float>() == 1.f);
    CHECK_THROWS_WITH_AS(sess.run(b), doctest::Contains("is not an element of this graph"), ValueError);
  }

  TEST_CASE("compat.v1: softmax cross-entropy ops agree with the Keras losses") {
    FreshGraph g;
    const keras::Tensor logits_value = f32({2, 1, 0, -1, 0.5f, 3}, {2, 3});
    const keras::Tensor onehot_value = f32({1, 0, 0, 0, 0, 1}, {2, 3});
    const tf::Tensor logits = tf::placeholder(DType::float32, Shape{None, 3});
    const tf::Tensor labels = tf::placeholder(DType::float32, Shape{None, 3});
    const tf::Tensor sparse = tf::placeholder(DType::int32, Shape{None});
    const tf::Tensor dense_loss = tf::nn::softmax_cross_entropy_with_logits(labels, logits);
    const tf::Tensor sparse_loss = tf::nn::sparse_softmax_cross_entropy_with_logits(sparse, logits);
    CHECK(*dense_loss.shape() == Shape{None});
    tf::Session sess;
    const keras::Tensors out = sess.run(
        {dense_loss, sparse_loss, tf::nn::softmax(logits)},
        {{logits, logits_value}, {labels, onehot_value}, {sparse, keras::Tensor({int32_t{0}, int32_t{2}})}});
    const keras::Tensor expected = losses::categorical_crossentropy(onehot_value, logits_value, true);
    check_allclose(out[0], expected, 1e-5, 1e-6);
    check_allclose(out[1], expected, 1e-5, 1e-6);
    check_allclose(out[2], ops::softmax(logits_value), 1e-6, 1e-7);
  }

  TEST_CASE("compat.v1: make_callable runs one fetch and feed list over and over") {
    FreshGraph g;
    const tf::Tensor x = tf::placeholder(DType::float32, Shape{None}, "x");
    tf::Variable total(tf::zeros({}), {.name = "total"});
    const tf::Tensor add = total.assign_add(tf::reduce_sum(x));
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    const tf::Session::Callable step = sess.make_callable({add}, {x});
    step({f32({1, 2}, {2})});
    const keras::Tensors out = step({f32({3}, {1})});
    CHECK(out[0].item<float>() == 6.f);
    CHECK_THROWS_WITH_AS(step({}), doctest::Contains("expected 1 feed values, got 0"), ValueError);
    CHECK_THROWS_WITH_AS(step({ops::ones({2, 2})}), doctest::Contains("Cannot feed value of shape (2, 2)"), ValueError);
  }

  TEST_CASE("compat.v1: Session::run replays a traced graph per feed signature, with the eager results") {
    FreshGraph g;
    // samples/tf1_mnist_style in small: softmax regression trained by GradientDescentOptimizer.
    const tf::Tensor x = tf::placeholder(DType::float32, Shape{None, 4}, "x");
    const tf::Tensor labels = tf::placeholder(DType::int32, Shape{None}, "labels");
    const keras::Tensor w0 = random::normal({4, 3}, {.seed = 5});
    tf::Variable w(w0, {.name = "W"});
    tf::Variable b(tf::zeros({3}), {.name = "b"});
    const tf::Tensor logits = tf::matmul(x, w) + b;
    const tf::Tensor loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
    const tf::Operation train = tf::train::GradientDescentOptimizer(0.5).minimize(loss);
    // The same steps with keras ops, eagerly.
    keras::Variable ew(w0), eb(ops::zeros({3}));
    optimizers::SGD sgd({.learning_rate = 0.5});
    auto eager_step = [&](const keras::Tensor& xs, const keras::Tensor& ys) {
      keras::Tensor l;
      keras::Tensors grads;
      {
        GradientTape tape;
        const keras::Tensor z = ops::matmul(xs, ew.value()) + eb.value();
        l = ops::mean(-ops::sum(ops::one_hot(ys, 3) * ops::log_softmax(z, -1), -1));
        grads = tape.gradient(l, std::vector<keras::Variable>{ew, eb});
      }
      sgd.apply_gradients(grads, {ew, eb});
      return l;
    };
    auto batch = [](int64_t n, uint64_t seed) {
      const keras::Tensor xs = random::normal({n, 4}, {.seed = seed});
      return std::make_pair(xs, ops::cast(ops::argmax(ops::slice(xs, {0, 0}, {n, 3}), 1), DType::int32));
    };
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    int64_t traces = -1;
    for (int step = 0; step < 6; ++step) {
      const auto [xs, ys] = batch(step < 4 ? 8 : 5, static_cast<uint64_t>(step));
      const keras::Tensor expected = eager_step(xs, ys);
      const keras::Tensors out = sess.run({loss, train}, {{x, xs}, {labels, ys}});
      check_allclose(out[0], expected, 1e-5, 1e-6);
      check_allclose(sess.run(w), ew.value(), 1e-5, 1e-6);
      check_allclose(sess.run(b), eb.value(), 1e-5, 1e-6);
      if (step == 2) traces = sess.trace_count();
      if (step == 3) CHECK(sess.trace_count() == traces);  // the same feed shapes: replayed
      if (step == 4) CHECK(sess.trace_count() == traces + 1);  // a batch of 5: traced once more
      if (step == 5) CHECK(sess.trace_count() == traces + 1);
    }
    // A run that fetches what it is fed, or an operation (None), replays those too.
    const keras::Tensor probe = ops::ones({2, 4});
    for (int i = 0; i < 2; ++i) {
      const keras::Tensors out = sess.run({x, train, logits}, {{x, probe}, {labels, Tensor({0, 1})}});
      check_allclose(out[0], probe);
      CHECK_FALSE(out[1].defined());
      CHECK(out[2].shape() == Shape{2, 3});
    }
  }

  TEST_CASE("compat.v1: an initializer run assigns every time it runs, traced or not") {
    FreshGraph g;
    tf::Variable v(keras::Tensor({1.f, 2.f}), {.name = "v"});
    const tf::Tensor bump = v.assign_add(tf::ones({2}));
    const tf::Operation init = tf::global_variables_initializer();
    tf::Session sess;
    for (int round = 0; round < 4; ++round) {
      sess.run(init);
      check_allclose(sess.run(v), keras::Tensor({1.f, 2.f}));
      sess.run(bump);
      check_allclose(sess.run(bump), keras::Tensor({3.f, 4.f}));
    }
    const int64_t traces = sess.trace_count();
    sess.run(init);
    sess.run(bump);
    CHECK(sess.trace_count() == traces);
  }

  TEST_CASE("compat.v1: a random op draws new values on every replayed run") {
    FreshGraph g;
    const tf::Tensor r = tf::random_normal({3}, {.seed = 9});
    tf::Session sess;
    const std::vector<float> a = sess.run(r).to_vector<float>(), b = sess.run(r).to_vector<float>(),
                             c = sess.run(r).to_vector<float>();
    CHECK(a != b);
    CHECK(b != c);
    CHECK(sess.trace_count() == 1);
  }
}
