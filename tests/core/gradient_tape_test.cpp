#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("core") {

TEST_CASE("GradientTape differentiates y = x^2 + 3x at x = 2 to 7") {
  Tensor x = Tensor::scalar(2.0);
  GradientTape tape;
  tape.watch(x);
  Tensor y = x * x + 3.0 * x;
  CHECK(tape.gradient(y, x).item<double>() == doctest::Approx(7.0));
}

TEST_CASE("GradientTape watches trainable variables automatically") {
  Variable w(Tensor({1.f, 2.f, 3.f}), {.name = "w"});
  Variable frozen(Tensor({1.f, 1.f, 1.f}), {.name = "frozen", .trainable = false});
  GradientTape tape;
  Tensor loss = ops::sum(w * w * frozen);
  Tensors grads = tape.gradient(loss, std::vector<Variable>{w, frozen});
  check_allclose(grads[0], Tensor({2.f, 4.f, 6.f}));
  CHECK_FALSE(grads[1].defined());
  REQUIRE(tape.watched_variables().size() == 1);
  CHECK(tape.watched_variables()[0] == w);
}

TEST_CASE("GradientTape returns None or zeros for unconnected sources") {
  Tensor x = Tensor::scalar(1.0), z = Tensor::scalar(5.0);
  {
    GradientTape tape;
    tape.watch(x);
    tape.watch(z);
    Tensors g = tape.gradient(x * 2.0, {x, z});
    CHECK(g[0].item<double>() == 2.0);
    CHECK_FALSE(g[1].defined());
  }
  {
    GradientTape tape;
    tape.watch(z);
    Tensor g = tape.gradient(x * 2.0, z, {.unconnected_gradients = UnconnectedGradients::zero});
    CHECK(g.item<double>() == 0.0);
  }
}

TEST_CASE("GradientTape of a non-scalar target is the gradient of its sum") {
  Tensor x({1.0, 2.0, 3.0});
  GradientTape tape;
  tape.watch(x);
  check_allclose(tape.gradient(x * x, x), Tensor({2.0, 4.0, 6.0}));
}

TEST_CASE("GradientTape uses output_gradients as the seed") {
  Tensor x({1.0, 2.0});
  GradientTape tape;
  tape.watch(x);
  Tensor g = tape.gradient(x * 3.0, x, {.output_gradients = {Tensor({10.0, 100.0})}});
  check_allclose(g, Tensor({30.0, 300.0}));
}

TEST_CASE("A non-persistent GradientTape refuses a second gradient call") {
  Tensor x = Tensor::scalar(3.0);
  GradientTape tape;
  tape.watch(x);
  Tensor y = x * x;
  tape.gradient(y, x);
  CHECK_THROWS_WITH_AS(tape.gradient(y, x), doctest::Contains("persistent"), RuntimeError);
}

TEST_CASE("A persistent GradientTape allows several gradient calls") {
  Tensor x = Tensor::scalar(3.0);
  GradientTape tape({.persistent = true});
  tape.watch(x);
  Tensor y = x * x;
  Tensor z = y * y;  // x^4
  CHECK(tape.gradient(y, x).item<double>() == doctest::Approx(6.0));
  CHECK(tape.gradient(z, x).item<double>() == doctest::Approx(108.0));
}

TEST_CASE("stop_gradient blocks the gradient through its argument") {
  Tensor x = Tensor::scalar(2.0);
  GradientTape tape;
  tape.watch(x);
  Tensor y = x * ops::stop_gradient(x);  // d/dx = stop(x) = 2, not 2x = 4
  CHECK(tape.gradient(y, x).item<double>() == doctest::Approx(2.0));
}

TEST_CASE("stop_recording pauses the tape") {
  Tensor x = Tensor::scalar(2.0);
  GradientTape tape;
  tape.watch(x);
  Tensor y = x * 3.0;
  Tensor z;
  {
    auto pause = tape.stop_recording();
    z = y * y;
  }
  CHECK(tape.gradient(y, x).item<double>() == doctest::Approx(3.0));
  GradientTape tape2;
  tape2.watch(x);
  Tensor a = x * 1.0;
  {
    auto pause = tape2.stop_recording();
    Tensor b = a * a;
    CHECK_FALSE(tape2.gradient(b, x).defined());
  }
}

TEST_CASE("Nested tapes give second derivatives") {
  Tensor x = Tensor::scalar(3.0);
  GradientTape outer;
  outer.watch(x);
  Tensor dy;
  {
    GradientTape inner;
    inner.watch(x);
    Tensor y = x * x * x;  // y' = 3x^2 = 27, y'' = 6x = 18
    dy = inner.gradient(y, x);
  }
  CHECK(dy.item<double>() == doctest::Approx(27.0));
  CHECK(outer.gradient(dy, x).item<double>() == doctest::Approx(18.0));
}

TEST_CASE("Third derivatives of sin through three nested tapes") {
  Tensor x = Tensor::scalar(0.5);
  GradientTape t3;
  t3.watch(x);
  GradientTape t2;
  t2.watch(x);
  GradientTape t1;
  t1.watch(x);
  Tensor y = ops::sin(x);
  Tensor d1 = t1.gradient(y, x);
  Tensor d2 = t2.gradient(d1, x);
  Tensor d3 = t3.gradient(d2, x);
  CHECK(d1.item<double>() == doctest::Approx(std::cos(0.5)));
  CHECK(d2.item<double>() == doctest::Approx(-std::sin(0.5)));
  CHECK(d3.item<double>() == doctest::Approx(-std::cos(0.5)));
}

TEST_CASE("Gradients accumulate over every use of a tensor") {
  Tensor x({1.0, 2.0});
  GradientTape tape;
  tape.watch(x);
  Tensor y = ops::sum(x * 2.0) + ops::sum(x * x) + ops::sum(x);
  check_allclose(tape.gradient(y, x), Tensor({5.0, 7.0}));
}

TEST_CASE("Integer tensors get no gradient") {
  Tensor i({1, 2});
  GradientTape tape;
  tape.watch(i);
  CHECK_FALSE(tape.gradient(ops::cast(i, DType::float32) * 2.f, i).defined());
}

TEST_CASE("GradientTape rejects an output_gradients seed of the wrong shape") {
  Tensor x({1.0, 2.0});
  GradientTape tape;
  tape.watch(x);
  CHECK_THROWS_WITH_AS(tape.gradient(x * 2.0, x, {.output_gradients = {Tensor({1.0})}}),
                       doctest::Contains("(1,)"), ValueError);
}

TEST_CASE("Variable assignments keep earlier reads unchanged and check shapes") {
  Variable v(Tensor({1.f, 2.f}), {.name = "v"});
  Tensor before = v.value();
  v.assign_add(Tensor({10.f, 10.f}));
  check_allclose(before, Tensor({1.f, 2.f}));
  check_allclose(v.value(), Tensor({11.f, 12.f}));
  v.assign_sub(Tensor({1.f, 1.f}));
  check_allclose(v.value(), Tensor({10.f, 11.f}));
  v.assign(Tensor({5.0, 6.0}));  // dtype converted to the variable's
  CHECK(v.dtype() == DType::float32);
  CHECK_THROWS_WITH_AS(v.assign(Tensor({1.f, 2.f, 3.f})), doctest::Contains("(2,)"), ValueError);
  CHECK(v.name() == "v");
}

TEST_CASE("check_gradients agrees with the tape on a composite function") {
  keras::testing::check_gradients(
      [](const Tensors& in) { return ops::tanh(ops::matmul(in[0], in[1])) * ops::exp(in[0]); },
      {keras::testing::random_input({2, 3}, 1), keras::testing::random_input({3, 3}, 2)});
}

}  // TEST_SUITE
