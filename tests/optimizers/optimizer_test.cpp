#include <keras/optimizers/optimizers.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "optimizers/two_steps.h"

using namespace keras;
using keras::testing::check_values;

namespace {
std::vector<std::string> names_of(const std::vector<Variable>& variables) {
  std::vector<std::string> names;
  for (const Variable& v : variables) names.push_back(v.name());
  return names;
}
}  // namespace

TEST_SUITE("training") {

TEST_CASE("iterations is an int32 scalar and learning_rate a float32 scalar, as Keras saves them") {
  optimizers::Adam adam({.learning_rate = 1.0});
  const auto vars = adam.variables();
  REQUIRE(vars.size() == 2);
  CHECK(vars[0].name() == "iteration");
  CHECK(vars[0].dtype() == DType::int32);
  CHECK(vars[0].shape() == Shape{});
  CHECK_FALSE(vars[0].trainable());
  CHECK(vars[1].name() == "learning_rate");
  CHECK(vars[1].dtype() == DType::float32);
  Variable w(Tensor({1.f, 2.f}), {.name = "w"});
  CHECK(adam.iterations() == 0);
  adam.apply_gradients({Tensor({1.f, 1.f})}, {w});
  CHECK(adam.iterations() == 1);
  adam.apply_gradients({Tensor({1.f, 1.f})}, {w});
  CHECK(adam.iterations() == 2);
  CHECK(adam.variables()[0].value().item<int32_t>() == 2);
}

TEST_CASE("variables() lists averages, accumulators, then interleaved slots, in Keras's saving order") {
  optimizers::Adam adam({.use_ema = true, .gradient_accumulation_steps = 2, .name = "opt"});
  Variable a(Tensor({1.f}), {.name = "dense/kernel"});
  Variable b(Tensor({1.f, 2.f}), {.name = "dense/bias"});
  adam.build({a, b});
  CHECK(adam.built());
  CHECK(adam.name() == "opt");
  CHECK(names_of(adam.variables()) ==
        std::vector<std::string>{"iteration", "learning_rate", "dense_kernel_average", "dense_bias_average",
                                 "dense_kernel_gradient_accumulator", "dense_bias_gradient_accumulator",
                                 "dense_kernel_momentum", "dense_kernel_velocity", "dense_bias_momentum",
                                 "dense_bias_velocity"});
  CHECK(adam.variables()[9].shape() == Shape{2});
}

TEST_CASE("undefined gradients are skipped, and all undefined is an error") {
  optimizers::SGD sgd({.learning_rate = 1.0});
  Variable a(Tensor({3.f, 4.f}), {.name = "a"});
  Variable b(Tensor({3.f, 4.f}), {.name = "b"});
  sgd.apply_gradients({Tensor(), Tensor({1.f, 1.f})}, {a, b});
  check_values(a.value(), {3, 4});
  check_values(b.value(), {2, 3});
  CHECK(sgd.iterations() == 1);
  CHECK_THROWS_WITH_AS(sgd.apply_gradients({Tensor(), Tensor()}, {a, b}),
                       doctest::Contains("No gradients provided for any variable"), ValueError);
}

TEST_CASE("clipnorm rescales each gradient whose norm exceeds it, separately") {
  optimizers::SGD sgd({.learning_rate = 1.0, .clipnorm = 1.0});
  Variable a(ops::zeros({2}), {.name = "a"});
  Variable b(ops::zeros({2}), {.name = "b"});
  // ||[3, 4]|| = 5 -> [3, 4]·1/5;  ||[0.3, 0.4]|| = 0.5 <= 1: unchanged
  sgd.apply_gradients({Tensor({3.f, 4.f}), Tensor({0.3f, 0.4f})}, {a, b});
  check_values(a.value(), {-0.6, -0.8});
  check_values(b.value(), {-0.3, -0.4});
}

TEST_CASE("global_clipnorm rescales all gradients by their joint norm") {
  optimizers::SGD sgd({.learning_rate = 1.0, .global_clipnorm = 1.0});
  Variable a(ops::zeros({2}), {.name = "a"});
  Variable b(ops::zeros({2}), {.name = "b"});
  // sqrt(3² + 4² + 0² + 12²) = 13: every gradient times 1/13
  sgd.apply_gradients({Tensor({3.f, 4.f}), Tensor({0.f, 12.f})}, {a, b});
  check_values(a.value(), {-3.0 / 13, -4.0 / 13});
  check_values(b.value(), {0.0, -12.0 / 13});
}

TEST_CASE("clipvalue clips each gradient element") {
  optimizers::SGD sgd({.learning_rate = 1.0, .clipvalue = 1.0});
  Variable a(ops::zeros({3}), {.name = "a"});
  sgd.apply_gradients({Tensor({-3.f, 0.5f, 2.f})}, {a});
  check_values(a.value(), {1.0, -0.5, -1.0});
  CHECK_THROWS_WITH_AS(optimizers::SGD({.clipnorm = 1.0, .clipvalue = 1.0}),
                       doctest::Contains("Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"), ValueError);
}

TEST_CASE("weight_decay shrinks variables by lr·weight_decay before the step, except excluded ones") {
  Variable a(Tensor({2.f}), {.name = "kernel"});
  Variable b(Tensor({2.f}), {.name = "bias"});
  Variable c(Tensor({2.f}), {.name = "other"});
  optimizers::SGD sgd({.learning_rate = 0.1, .weight_decay = 0.5});
  sgd.exclude_from_weight_decay({c}, {"bia"});
  // kernel: 2 - 2·0.5·0.1 = 1.9, then - 0.1·1 = 1.8; bias and other: 2 - 0.1 = 1.9
  sgd.apply_gradients({Tensor({1.f}), Tensor({1.f}), Tensor({1.f})}, {a, b, c});
  check_values(a.value(), {1.8});
  check_values(b.value(), {1.9});
  check_values(c.value(), {1.9});
  CHECK_THROWS_AS(sgd.exclude_from_weight_decay({a}), ValueError);
  // Keras's test: three Adam(lr 1, weight_decay 0.004) steps on a zero gradient: 2·0.996³ = 1.976095872
  Variable v(Tensor::scalar(2.f), {.name = "v"});
  for (int i = 0; i < 3; ++i) {
    optimizers::Adam adam({.learning_rate = 1.0, .weight_decay = 0.004});
    adam.apply_gradients({ops::zeros(Shape{})}, {v});
  }
  CHECK(v.value().item<float>() == doctest::Approx(1.9760959).epsilon(1e-6));
}

TEST_CASE("loss_scale_factor scales the loss and divides the gradients back") {
  optimizers::SGD sgd({.learning_rate = 1.0, .loss_scale_factor = 1024.0});
  CHECK(sgd.scale_loss(Tensor::scalar(1.f)).item<float>() == 1024.f);
  Variable w(Tensor({1.f, 2.f, 3.f, 4.f}), {.name = "w"});
  sgd.apply_gradients({Tensor({1024.f, 2048.f, 3072.f, 4096.f})}, {w});
  check_values(w.value(), {0, 0, 0, 0});
}

TEST_CASE("EMA averages the variables and overwrites them every ema_overwrite_frequency steps") {
  // Keras's test_ema: SGD(lr 1) with ones gradients.
  optimizers::SGD sgd({.learning_rate = 1.0, .use_ema = true, .ema_momentum = 0.9, .ema_overwrite_frequency = 3});
  Variable v(Tensor({3.f, 4.f, 5.f, 6.f}, {2, 2}), {.name = "v"});
  const Tensor ones = ops::ones({2, 2});
  sgd.apply_gradients({ones}, {v});
  const Variable average = sgd.variables()[2];
  CHECK(average.name() == "v_average");
  check_values(v.value(), {2, 3, 4, 5});
  check_values(average.value(), {2, 3, 4, 5});  // the first step copies the variable
  sgd.apply_gradients({ones}, {v});
  check_values(v.value(), {1, 2, 3, 4});
  // 0.9·[2, 3, 4, 5] + 0.1·[1, 2, 3, 4]
  check_values(average.value(), {1.9, 2.9, 3.9, 4.9});
  sgd.apply_gradients({ones}, {v});
  // 0.9·[1.9, 2.9, ...] + 0.1·[0, 1, ...] = [1.71, 2.71, ...], and the third step overwrites v with it
  check_values(average.value(), {1.71, 2.71, 3.71, 4.71});
  check_values(v.value(), {1.71, 2.71, 3.71, 4.71});
}

TEST_CASE("finalize_variable_values copies the moving averages into the variables") {
  optimizers::SGD sgd({.learning_rate = 1.0, .use_ema = true, .ema_momentum = 0.5});
  Variable v(Tensor({4.f}), {.name = "v"});
  sgd.apply_gradients({Tensor({1.f})}, {v});  // v = 3, average = 3
  sgd.apply_gradients({Tensor({1.f})}, {v});  // v = 2, average = 0.5·3 + 0.5·2 = 2.5
  check_values(v.value(), {2});
  sgd.finalize_variable_values({v});
  check_values(v.value(), {2.5});
  optimizers::SGD plain;
  plain.finalize_variable_values({v});  // without EMA: nothing to do
  check_values(v.value(), {2.5});
}

TEST_CASE("constraints are applied after the update") {
  optimizers::SGD sgd({.learning_rate = 1.0});
  Variable v(Tensor({-1.f, 0.5f}), {.name = "v"});
  v.set_constraint([](const Tensor& w) { return ops::maximum(w, ops::zeros_like(w)); });  // NonNeg
  sgd.apply_gradients({Tensor({1.f, -1.f})}, {v});
  check_values(v.value(), {0.0, 1.5});
}

TEST_CASE("gradient accumulation updates with the mean gradient every gradient_accumulation_steps") {
  // Keras's test_gradient_accumulation: SGD(lr 1), steps 3, ones gradients.
  optimizers::SGD sgd({.learning_rate = 1.0, .gradient_accumulation_steps = 3});
  Variable v(Tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}), {.name = "v"});
  const Tensor ones = ops::ones({2, 2});
  sgd.apply_gradients({ones}, {v});
  const Variable accumulator = sgd.variables()[2];
  CHECK(accumulator.name() == "v_gradient_accumulator");
  check_values(v.value(), {1, 2, 3, 4});
  check_values(accumulator.value(), {1, 1, 1, 1});
  CHECK(sgd.iterations() == 0);  // 1 raw step // 3
  sgd.apply_gradients({ones}, {v});
  check_values(accumulator.value(), {2, 2, 2, 2});
  sgd.apply_gradients({ones}, {v});
  // (ones + 2·ones)/3 = ones: v - 1, and the accumulators reset
  check_values(v.value(), {0, 1, 2, 3});
  check_values(accumulator.value(), {0, 0, 0, 0});
  CHECK(sgd.iterations() == 1);
  CHECK(sgd.variables()[0].value().item<int32_t>() == 3);
  CHECK_THROWS_WITH_AS(optimizers::SGD({.gradient_accumulation_steps = 1}), doctest::Contains(">= 2"), ValueError);
}

TEST_CASE("a schedule sets the learning rate from the iteration count and replaces the learning_rate variable") {
  // 0.1·0.5^(step/1): 0.1 at step 0, 0.05 at step 1
  optimizers::SGD sgd({.learning_rate = optimizers::schedules::ExponentialDecay(0.1, 1, 0.5)});
  CHECK(names_of(sgd.variables()) == std::vector<std::string>{"iteration"});
  Variable w(Tensor({1.f}), {.name = "w"});
  CHECK(sgd.learning_rate() == doctest::Approx(0.1));
  sgd.apply_gradients({Tensor({1.f})}, {w});
  CHECK(sgd.learning_rate() == doctest::Approx(0.05));
  sgd.apply_gradients({Tensor({1.f})}, {w});
  check_values(w.value(), {0.85});  // 1 - 0.1 - 0.05
  CHECK_THROWS_WITH_AS(sgd.set_learning_rate(0.1), doctest::Contains("not settable"), ValueError);
  CHECK(sgd.get_config()["learning_rate"]["class_name"] == "ExponentialDecay");
}

TEST_CASE("set_learning_rate changes the rate the next step uses") {
  optimizers::SGD sgd({.learning_rate = 1.0});
  sgd.set_learning_rate(0.25);
  CHECK(sgd.learning_rate() == 0.25);
  Variable w(Tensor({1.f}), {.name = "w"});
  sgd.apply_gradients({Tensor({1.f})}, {w});
  check_values(w.value(), {0.75});
  CHECK(sgd.get_config()["learning_rate"] == 0.25);
}

TEST_CASE("assigning variables() restores an optimizer's state") {
  Variable w1(Tensor({1.f, -2.f}), {.name = "w"});
  Variable w2(Tensor({1.f, -2.f}), {.name = "w"});
  optimizers::Adam first({.learning_rate = 0.1});
  first.apply_gradients({Tensor({0.5f, -1.f})}, {w1});
  optimizers::Adam second({.learning_rate = 0.5});
  second.build({w2});
  const auto from = first.variables();
  const auto to = second.variables();
  REQUIRE(from.size() == to.size());
  for (size_t i = 0; i < from.size(); ++i) Variable(to[i]).assign(from[i].value());
  w2.assign(w1.value());
  CHECK(second.iterations() == 1);
  CHECK(second.learning_rate() == doctest::Approx(0.1));
  first.apply_gradients({Tensor({0.25f, 2.f})}, {w1});
  second.apply_gradients({Tensor({0.25f, 2.f})}, {w2});
  check_values(w2.value(), {0.806783196, -1.936610617});
  CHECK(w2.value().to_vector<float>() == w1.value().to_vector<float>());
}

TEST_CASE("an optimizer refuses variables it was not built with and mismatched gradients") {
  optimizers::SGD sgd;
  Variable a(Tensor({1.f}), {.name = "a"});
  Variable b(Tensor({1.f}), {.name = "b"});
  sgd.apply_gradients({Tensor({1.f})}, {a});
  CHECK_THROWS_WITH_AS(sgd.apply_gradients({Tensor({1.f})}, {b}), doctest::Contains("Unknown variable: 'b'"), ValueError);
  CHECK_THROWS_WITH_AS(sgd.apply_gradients({Tensor({1.f, 2.f})}, {a}), doctest::Contains("has shape (2,)"), ValueError);
  CHECK_THROWS_WITH_AS(sgd.apply_gradients({Tensor({1.f}), Tensor({1.f})}, {a}),
                       doctest::Contains("2 gradients for 1 variables"), ValueError);
  sgd.apply_gradients({}, {});  // nothing to do, as Keras
  CHECK(sgd.iterations() == 1);
}

TEST_CASE("copies of an optimizer share its state") {
  optimizers::Adam adam;
  OptimizerArg arg = adam;
  Variable w(Tensor({1.f}), {.name = "w"});
  arg.get()->apply_gradients({Tensor({1.f})}, {w});
  CHECK(adam.built());
  CHECK(adam.iterations() == 1);
  CHECK(adam.variables().size() == 4);
}

TEST_CASE("Adam fits y = 3x + 1 through GradientTape and apply_gradients") {
  const Tensor x = ops::reshape(ops::linspace(-1, 1, 32), {32, 1});
  const Tensor y = x * 3.0 + 1.0;
  Variable kernel(ops::zeros({1, 1}), {.name = "kernel"});
  Variable bias(ops::zeros({1}), {.name = "bias"});
  optimizers::Adam adam({.learning_rate = 0.1});
  for (int step = 0; step < 300; ++step) {
    GradientTape tape;
    const Tensor loss = ops::mean(ops::square(ops::matmul(x, kernel) + bias - y));
    adam.apply_gradients(tape.gradient(loss, std::vector<Variable>{kernel, bias}), {kernel, bias});
  }
  CHECK(kernel.value().item<float>() == doctest::Approx(3.0).epsilon(1e-3));
  CHECK(bias.value().item<float>() == doctest::Approx(1.0).epsilon(1e-3));
}

}  // TEST_SUITE
