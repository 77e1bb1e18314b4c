#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

#include <cmath>

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("BatchNormalization passes the layer checks on the last axis") {
  keras::testing::run_layer_test([] { return layers::BatchNormalization(); },
                                 {.input_shapes = {{4, 3}}, .expected_output_shape = Shape{4, 3},
                                  .expected_num_trainable_weights = 2, .expected_num_non_trainable_weights = 2});
}

TEST_CASE("BatchNormalization passes the layer checks channels first, without center") {
  keras::testing::run_layer_test([] { return layers::BatchNormalization({.axis = 1, .center = false}); },
                                 {.input_shapes = {{2, 3, 2, 2}}, .expected_output_shape = Shape{2, 3, 2, 2},
                                  .expected_num_trainable_weights = 1, .expected_num_non_trainable_weights = 2});
}

TEST_CASE("BatchNormalization has Keras's weights: gamma, beta, moving_mean, moving_variance") {
  layers::BatchNormalization bn;
  bn(ops::zeros({2, 5}));
  const auto w = bn.weights();
  REQUIRE(w.size() == 4);
  CHECK(w[0].name() == "gamma");
  CHECK(w[1].name() == "beta");
  CHECK(w[2].name() == "moving_mean");
  CHECK(w[3].name() == "moving_variance");
  CHECK(w[2].trainable() == false);
  CHECK(w[3].trainable() == false);
  check_allclose(bn.moving_variance().value(), ops::ones({5}));
  CHECK(bn.count_params() == 20);
}

TEST_CASE("BatchNormalization trains on batch statistics and moves its moving statistics by 1 - momentum") {
  layers::BatchNormalization bn;
  const Tensor x({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {3, 2});
  const Tensor y = bn(x, true);
  // mean (3, 4), biased variance 8/3 in both columns.
  const float d = 2.f / std::sqrt(8.f / 3 + 1e-3f);
  check_allclose(y, Tensor({-d, -d, 0.f, 0.f, d, d}, {3, 2}), 1e-5, 1e-6);
  check_allclose(bn.moving_mean().value(), Tensor({0.03f, 0.04f}), 1e-5, 1e-7);
  const float v = 0.99f + 0.01f * 8.f / 3;
  check_allclose(bn.moving_variance().value(), Tensor({v, v}), 1e-6, 1e-7);
  // Inference normalizes with the moving statistics and leaves them alone.
  const Tensor z = bn(x, false);
  check_allclose(z, (x - Tensor({0.03f, 0.04f})) / std::sqrt(v + 1e-3f), 1e-5, 1e-6);
  check_allclose(bn.moving_mean().value(), Tensor({0.03f, 0.04f}), 1e-5, 1e-7);
}

TEST_CASE("BatchNormalization with axis=1 normalizes channels-first feature maps") {
  layers::BatchNormalization bn({.axis = 1});
  // x[n, c, 0, w] = 4 n + 2 c + w: channel c holds {2c, 2c + 1, 2c + 4, 2c + 5}, mean 2.5 + 2c, variance 4.25.
  const Tensor x = ops::reshape(ops::arange(8.0, DType::float32), {2, 2, 1, 2});
  const Tensor y = bn(x, true);
  const float k = 1.f / std::sqrt(4.25f + 1e-3f);
  check_allclose(y, Tensor({-2.5f * k, -1.5f * k, -2.5f * k, -1.5f * k, 1.5f * k, 2.5f * k, 1.5f * k, 2.5f * k},
                           {2, 2, 1, 2}), 1e-5, 1e-6);
  check_allclose(bn.moving_mean().value(), Tensor({0.025f, 0.045f}), 1e-5, 1e-7);
  CHECK_THROWS_WITH_AS(bn(ops::zeros({2, 3, 1, 2})), doctest::Contains("expected axis 1 of input shape to have value 2"),
                       ValueError);
}

TEST_CASE("A frozen BatchNormalization runs in inference mode even when training") {
  for (bool at_construction : {true, false}) {
    layers::BatchNormalization bn({.trainable = !at_construction});
    if (!at_construction) bn.set_trainable(false);
    const Tensor x({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {3, 2});
    const Tensor y = bn(x, true);
    check_allclose(y, x / std::sqrt(1.001f), 1e-6, 1e-6);
    check_allclose(bn.moving_mean().value(), ops::zeros({2}));
    check_allclose(bn.moving_variance().value(), ops::ones({2}));
    CHECK(bn.trainable_weights().empty());
  }
}

TEST_CASE("BatchNormalization's training gradients pass finite differences and skip the moving statistics") {
  layers::BatchNormalization bn({.center = true, .scale = true, .dtype = "float64"});
  const Tensor x0 = keras::testing::random_input({5, 3}, 3);
  bn(x0, true);
  std::vector<Variable> w = bn.trainable_weights();
  keras::testing::check_gradients(
      [&](const Tensors& a) {
        w[0].assign(a[1]);
        w[1].assign(a[2]);
        return bn(a[0], true);
      },
      {x0, keras::testing::random_input({3}, 4, 0.5, 1.5), keras::testing::random_input({3}, 5)});
  GradientTape tape;
  const Tensor y = bn(x0, true);
  const Tensors grads = tape.gradient(ops::sum(y * y), bn.trainable_weights());
  CHECK(grads[0].defined());
  CHECK(grads[1].defined());
  for (const Variable& v : tape.watched_variables()) CHECK(v.trainable());
}

TEST_CASE("BatchNormalization in a Sequential trained by fit updates its moving statistics and evaluates with them") {
  layers::BatchNormalization bn;
  layers::Dense head(1, {.kernel_initializer = "ones"});
  Sequential model({Input({3}), bn, head});
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.01}), .loss = "mse"});
  const Tensor x = random::uniform({32, 3}, {.minval = 1.0, .maxval = 3.0, .seed = 4});
  const Tensor y = ops::sum(x, 1, true);
  model.fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  // Four steps of moving = 0.99 moving + 0.01 batch statistic, batches in order.
  Tensor mean = ops::zeros({3}), variance = ops::ones({3});
  for (int64_t b = 0; b < 4; ++b) {
    auto [m, v] = ops::moments(ops::slice(x, {8 * b, 0}, {8, 3}), {0});
    mean = mean * 0.99 + m * 0.01;
    variance = variance * 0.99 + v * 0.01;
  }
  check_allclose(bn.moving_mean().value(), mean, 1e-5, 1e-6);
  check_allclose(bn.moving_variance().value(), variance, 1e-5, 1e-6);
  // evaluate() and predict() normalize with those moving statistics.
  const Tensor normalized = ops::batch_normalization(x, mean, variance, -1, bn.beta(), bn.gamma());
  const Tensor expected = ops::matmul(normalized, head.kernel()) + head.bias();
  check_allclose(model.predict(x, {.verbose = 0}), expected, 1e-4, 1e-5);
  const double mse = ops::mean(ops::square(expected - y)).item<float>();
  CHECK(model.evaluate(x, y, {.verbose = 0}).at("loss") == doctest::Approx(mse).epsilon(1e-4));
}

TEST_CASE("BatchNormalization's config has Keras's keys and round-trips") {
  layers::BatchNormalization bn({.axis = 1, .momentum = 0.9, .epsilon = 1e-5, .center = false,
                                 .gamma_regularizer = "l2", .name = "bn"});
  const Config c = bn.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "axis", "momentum", "epsilon", "center", "scale",
                                         "beta_initializer", "gamma_initializer", "moving_mean_initializer",
                                         "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
                                         "beta_constraint", "gamma_constraint", "synchronized"});
  CHECK(c["axis"] == 1);
  CHECK(c["momentum"] == 0.9);
  CHECK(c["moving_variance_initializer"]["class_name"] == "Ones");
  auto copy = layers::BatchNormalization::from_config(c);
  CHECK(copy->get_config().dump() == c.dump());
  Config keras2 = c;
  keras2["axis"] = Config::array({3});
  CHECK(layers::BatchNormalization::from_config(keras2)->get_config()["axis"] == 3);
  keras2["renorm"] = true;
  CHECK_THROWS_AS(layers::BatchNormalization::from_config(keras2), NotImplementedError);
}

TEST_CASE("BatchNormalization refuses synchronized=True and an undefined feature axis") {
  CHECK_THROWS_AS(layers::BatchNormalization({.synchronized = true}), NotImplementedError);
  layers::BatchNormalization bn;
  auto inputs = Input({None});
  CHECK_THROWS_WITH_AS(bn(inputs), doctest::Contains("must be defined"), ValueError);
}

}  // TEST_SUITE
