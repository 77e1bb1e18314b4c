#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

namespace {

// Keras's docstring data: mean [1, 8, 5], variance [1, 1, 1] per column.
Tensor column_data() { return Tensor({0.f, 7.f, 4.f, 2.f, 9.f, 6.f, 0.f, 7.f, 4.f, 2.f, 9.f, 6.f}, {4, 3}); }

}  // namespace

TEST_SUITE("layers") {

TEST_CASE("Normalization with adapted statistics passes the layer checks") {
  keras::testing::run_layer_test([] { return layers::Normalization(); },
                                 {.input_shapes = {{2, 3}}, .expected_output_shape = Shape{2, 3},
                                  .expected_num_non_trainable_weights = 3});
}

TEST_CASE("Normalization with given statistics passes the layer checks") {
  keras::testing::run_layer_test(
      [] {
        return layers::Normalization({.mean = Tensor({0.5f, -1.f, 2.f}), .variance = Tensor({4.f, 0.25f, 1.f})});
      },
      {.input_shapes = {{2, 3}}, .expected_output_shape = Shape{2, 3}});
}

TEST_CASE("Normalization adapts a global mean and variance with axis None") {
  layers::Normalization layer({.axis = std::nullopt});
  layer.adapt(Tensor({1.f, 2.f, 3.f, 4.f, 5.f}));
  check_allclose(layer.adapt_mean().value(), Tensor::scalar(3.f));
  check_allclose(layer.adapt_variance().value(), Tensor::scalar(2.f));  // population variance, as Keras
  check_allclose(layer(Tensor({1.f, 2.f, 3.f})), Tensor({-1.4142135f, -0.70710677f, 0.f}));
}

TEST_CASE("Normalization adapts one mean and variance per feature") {
  layers::Normalization layer;
  layer.adapt(column_data());
  check_allclose(layer.adapt_mean().value(), Tensor({1.f, 8.f, 5.f}));
  check_allclose(layer.adapt_variance().value(), Tensor({1.f, 1.f, 1.f}));
  check_allclose(layer(Tensor({0.f, 7.f, 4.f}, {1, 3})), Tensor({-1.f, -1.f, -1.f}, {1, 3}));
}

TEST_CASE("Normalization keeps several axes and reduces the rest") {
  // data[b, i, j] = b + 10 i + 100 j for b in 0..3: over the batch, mean 1.5 + 10 i + 100 j, variance 1.25.
  std::vector<float> v;
  for (int b = 0; b < 4; ++b)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) v.push_back(static_cast<float>(b + 10 * i + 100 * j));
  Tensor data = Tensor::from_vector(v, Shape{4, 2, 3});
  layers::Normalization layer({.axis = {1, 2}});
  layer.adapt(data);
  CHECK(layer.adapt_mean().shape() == Shape{2, 3});
  check_allclose(layer.adapt_mean().value(), Tensor({1.5f, 101.5f, 201.5f, 11.5f, 111.5f, 211.5f}, {2, 3}));
  check_allclose(layer.adapt_variance().value(), ops::full({2, 3}, 1.25));
  Tensor y = layer(data);
  check_allclose(ops::mean(y, 0), ops::zeros({2, 3}), 1e-5, 1e-5);
  check_allclose(ops::var(y, 0), ops::ones({2, 3}), 1e-5, 1e-5);

  // The last axis alone: each column pools the batch and the middle axis.
  layers::Normalization last;
  last.adapt(data);
  check_allclose(last.adapt_mean().value(), Tensor({6.5f, 106.5f, 206.5f}));
  check_allclose(last.adapt_variance().value(), ops::full({3}, 26.25));  // 1.25 + 25
}

TEST_CASE("Normalization uses a scalar mean and variance given to the constructor") {
  layers::Normalization layer({.mean = Tensor::scalar(3.f), .variance = Tensor::scalar(2.f)});
  check_allclose(layer(Tensor({1.f, 2.f, 3.f}, {3, 1})), Tensor({-1.4142135f, -0.70710677f, 0.f}, {3, 1}));
  CHECK(layer.weights().empty());
}

TEST_CASE("Normalization with invert maps normalized values back") {
  layers::Normalization layer({.invert = true});
  layer.adapt(column_data());
  check_allclose(layer(Tensor({1.f, 2.f, 3.f}, {1, 3})), Tensor({2.f, 10.f, 8.f}, {1, 3}));
}

TEST_CASE("Normalization divides by epsilon, not zero, where the variance is 0") {
  layers::Normalization layer({.mean = Tensor({1.f}), .variance = Tensor({0.f})});
  check_allclose(layer(Tensor({1.f, 1.5f}, {2, 1})), Tensor({0.f, 0.5e7f}, {2, 1}), 1e-5, 0);
}

TEST_CASE("Normalization before adapt uses its initial mean 0 and variance 1, as Keras 3") {
  layers::Normalization layer;
  Tensor x({1.f, -2.f, 3.f}, {1, 3});
  check_allclose(layer(x), x);
  CHECK(layer.non_trainable_weights().size() == 3);
}

TEST_CASE("Normalization keeps its adapted state as weights named as Keras's, through a config round trip") {
  layers::Normalization layer({.name = "norm"});
  layer.adapt(column_data());
  const std::vector<Variable> weights = layer.weights();
  REQUIRE(weights.size() == 3);
  CHECK(weights[0].name() == "mean");
  CHECK(weights[1].name() == "variance");
  CHECK(weights[2].name() == "count");
  CHECK(weights[2].dtype() == DType::int64);
  CHECK(weights[2].shape() == Shape{});
  CHECK(layer.trainable_weights().empty());

  const Config serialized = serialize_layer(layer);
  CHECK(serialized["config"]["axis"] == Config::array({-1}));
  CHECK(serialized["config"]["invert"] == false);
  CHECK(serialized["config"]["mean"].is_null());
  CHECK(serialized["config"]["variance"].is_null());
  CHECK(serialized["build_config"]["input_shape"] == Config::array({4, 3}));
  std::shared_ptr<Layer> copy = deserialize_layer(serialized);
  CHECK(copy->built());
  copy->set_weights(layer.get_weights());
  Tensor x({5.f, -1.f, 2.f}, {1, 3});
  check_allclose((*copy)(x), layer(x));
  check_allclose((*copy)(x), Tensor({4.f, -9.f, -3.f}, {1, 3}));
}

TEST_CASE("Normalization's config carries given statistics as nested lists") {
  layers::Normalization layer({.axis = {1, 2}, .mean = Tensor({1.f, 2.f}, {1, 2}), .variance = Tensor({4.f, 4.f}, {1, 2}),
                               .invert = true});
  const Config c = layer.get_config();
  CHECK(c["axis"] == Config::array({1, 2}));
  CHECK(c["invert"] == true);
  CHECK(c["mean"] == Config::parse("[[1.0, 2.0]]"));
  CHECK(c["variance"] == Config::parse("[[4.0, 4.0]]"));
  std::shared_ptr<Layer> copy = layers::Normalization::from_config(c);
  CHECK(copy->get_config().dump() == c.dump());
  Tensor x = ops::zeros({2, 3, 2});
  check_allclose((*copy)(x), layer(x));
  // axis None is written as an empty list and read back as None.
  const Config none = layers::Normalization({.axis = std::nullopt}).get_config();
  CHECK(none["axis"] == Config::array());
}

TEST_CASE("Normalization rejects inconsistent statistics and axes with Keras's messages") {
  CHECK_THROWS_WITH_AS(layers::Normalization({.mean = Tensor({1.f})}),
                       doctest::Contains("When setting values directly, both `mean` and `variance` must be set. "
                                         "Received: mean=[1.] and variance=None"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Normalization({.mean = Tensor({1.f, 2.f}), .variance = Tensor({1.f})}),
                       doctest::Contains("`mean` and `variance` must have the same shape. Received: mean shape (2,) "
                                         "and variance shape (1,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Normalization({.mean = ops::zeros({2, 2}), .variance = ops::ones({2, 2})}),
                       doctest::Contains("The rank of `mean` must be less than or equal to the number of axes (1). "
                                         "Received: mean shape (2, 2) for axis (-1,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Normalization({.axis = 2})(ops::ones({2, 3})),
                       doctest::Contains("All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                                         "ndim=2, while axis=(2,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Normalization()(Input({None})),
                       doctest::Contains("All `axis` values to be kept must have a known shape. Received axis=(-1,), "
                                         "inputs.shape=(None, None), with unknown axis at index 1"),
                       ValueError);
  CHECK_THROWS_AS(layers::Normalization({.mean = Tensor({1.f, 2.f}), .variance = Tensor({1.f, 1.f})})(ops::ones({2, 3})),
                  ValueError);
}

TEST_CASE("Normalization's adapt checks the data against the built shape") {
  layers::Normalization layer;
  layer(ops::ones({2, 3}));
  CHECK_THROWS_WITH_AS(layer.adapt(ops::ones({4, 2})),
                       doctest::Contains("The layer was built with input_shape=(2, 3), but adapt() is being called "
                                         "with data with an incompatible shape, data.shape=(4, 2)"),
                       ValueError);
  layer.adapt(ops::ones({5, 3}));  // another batch size is fine
  check_allclose(layer.adapt_variance().value(), ops::zeros({3}));
  layers::Normalization fixed({.mean = Tensor::scalar(0.f), .variance = Tensor::scalar(1.f)});
  CHECK_THROWS_AS(fixed.adapt(ops::ones({2, 3})), ValueError);
}

}  // TEST_SUITE
