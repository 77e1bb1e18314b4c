#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

// run_layer_test's config round trip cannot apply: a Lambda holding a C++ callable has no config.
TEST_SUITE("layers") {

TEST_CASE("Lambda applies its function and is differentiable through it") {
  layers::Lambda square([](const Tensor& x) { return x * x; }, {.dtype = "float64"});
  check_allclose(square(Tensor({1.0, -2.0, 3.0}, {1, 3})), Tensor({1.0, 4.0, 9.0}, {1, 3}));
  keras::testing::check_gradients([&](const Tensors& xs) { return square(xs[0]); },
                                  {random::uniform({2, 3}, {.dtype = DType::float64, .seed = 2})});
}

TEST_CASE("Lambda passes the training flag to a function that takes it") {
  layers::Lambda noisy([](const Tensor& x, bool training) { return training ? x + 1.0 : x; });
  const Tensor x = ops::zeros({2});
  check_allclose(noisy(x), x);
  check_allclose(noisy(x, true), ops::ones({2}));
}

TEST_CASE("Lambda infers its output shape, or takes one with or without a function") {
  layers::Lambda sum_last([](const Tensor& x) { return ops::sum(x, -1, true); });
  CHECK(sum_last.compute_output_shape(Shape{None, 5, 4}) == Shape{None, 5, 1});
  layers::Lambda given([](const Tensor& x) { return ops::reshape(x, {x.shape()[0], -1}); }, {.output_shape = Shape{12}});
  CHECK(given.compute_output_shape(Shape{None, 3, 4}) == Shape{None, 12});
  layers::Lambda by_function([](const Tensor& x) { return x; },
                             {.output_shape = [](const Shape& s) { return Shape{s[0], 99}; }});
  CHECK(by_function.compute_output_shape(Shape{None, 3}) == Shape{None, 99});
  layers::Lambda broken([](const Tensor& x) { return ops::reshape(x, {7}); });
  CHECK_THROWS_WITH_AS(broken.compute_output_shape(Shape{None, 3}),
                       doctest::Contains("Please specify the `output_shape` argument for this Lambda layer"),
                       NotImplementedError);
}

TEST_CASE("Lambda works inside a Functional model") {
  auto inputs = Input({4});
  auto hidden = layers::Dense(2, {.kernel_initializer = "ones"})(inputs);
  auto outputs = layers::Lambda([](const Tensor& x) { return x * 3.0; })(hidden);
  CHECK(outputs.shape() == Shape{None, 2});
  Model model(inputs, outputs);
  check_allclose(model(ops::ones({1, 4})), ops::full({1, 2}, 12.0));
}

TEST_CASE("Lambda cannot be serialised, and says how to write a custom layer instead") {
  layers::Lambda lambda([](const Tensor& x) { return x; }, {.name = "my_lambda"});
  CHECK_THROWS_WITH_AS(lambda.get_config(), doctest::Contains("Cannot serialize the Lambda layer \"my_lambda\""),
                       ValueError);
  CHECK_THROWS_WITH_AS(serialize_layer(lambda), doctest::Contains("KERAS_REGISTER_LAYER"), ValueError);
}

TEST_CASE("A Lambda saved by Keras cannot be loaded, with a clear message") {
  const Config saved = {{"module", "keras.layers"},
                        {"class_name", "Lambda"},
                        {"config",
                         {{"name", "lambda"},
                          {"trainable", true},
                          {"dtype", "float32"},
                          {"function", {{"class_name", "__lambda__"}, {"config", {{"code", "4wEAAAAA"}}}}},
                          {"arguments", Config::object()}}},
                        {"registered_name", nullptr}};
  CHECK_THROWS_WITH_AS(deserialize_layer(saved), doctest::Contains("saved as Python code, which keras-cpp cannot run"),
                       ValueError);
}

TEST_CASE("Lambda rejects an empty function") {
  CHECK_THROWS_AS(layers::Lambda(std::function<Tensor(const Tensor&)>()), ValueError);
}

}  // TEST_SUITE
