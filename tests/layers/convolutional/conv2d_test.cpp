#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/files.h"
#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::random_input;

namespace {

std::vector<std::string> keys_of(const Config& config) {
  std::vector<std::string> keys;
  for (auto it = config.begin(); it != config.end(); ++it) keys.push_back(it.key());
  return keys;
}

}  // namespace

TEST_SUITE("layers") {

TEST_CASE("Conv2D maps (2, 7, 6, 3) to (2, 5, 4, 4) with a kernel and a bias") {
  keras::testing::run_layer_test([] { return layers::Conv2D(4, {3, 3}, {.activation = "tanh"}); },
                                 {.input_shapes = {{2, 7, 6, 3}}, .expected_output_shape = Shape{2, 5, 4, 4},
                                  .expected_num_trainable_weights = 2});
}

TEST_CASE("Conv2D with same padding, strides, groups and a fused relu passes the layer checks") {
  keras::testing::run_layer_test(
      [] { return layers::Conv2D(4, {2, 3}, {.strides = {2}, .padding = "same", .groups = 2, .activation = "relu"}); },
      {.input_shapes = {{2, 5, 6, 4}}, .expected_output_shape = Shape{2, 3, 3, 4},
       .expected_num_trainable_weights = 2});
  keras::testing::run_layer_test(
      [] { return layers::Conv2D(3, {3}, {.data_format = "channels_first", .dilation_rate = {2}, .use_bias = false}); },
      {.input_shapes = {{2, 2, 7, 6}}, .expected_output_shape = Shape{2, 3, 3, 2},
       .expected_num_trainable_weights = 1});
}

TEST_CASE("Conv2D computes activation(conv(inputs, kernel) + bias) with Keras's weight layout") {
  layers::Conv2D conv(2, {3, 3}, {.kernel_initializer = "ones", .bias_initializer = initializers::Constant({.value = 0.5})});
  const Tensor y = conv(ops::ones({1, 4, 4, 1}));
  check_allclose(y, ops::full({1, 2, 2, 2}, 9.5));
  CHECK(conv.kernel().shape() == Shape{3, 3, 1, 2});
  CHECK(conv.bias().shape() == Shape{2});
  CHECK(conv.kernel().name() == "kernel");
  CHECK(conv.bias().name() == "bias");
  CHECK(conv.name().starts_with("conv2d"));

  // relu is fused into the primitive; it must equal the unfused composition, value and gradient.
  layers::Conv2D fused(3, {3, 3}, {.padding = "same", .activation = "relu", .bias_initializer = "ones"});
  const Tensor x = random_input({2, 6, 5, 2}, 3).astype(DType::float32);
  const Tensor got = fused(x);
  const Tensor reference = ops::relu(ops::conv(x, fused.kernel(), {.padding = "same"}) + fused.bias());
  check_allclose(got, reference, 1e-5, 1e-5);
  Tensors g_fused, g_ref;
  {
    GradientTape tape;
    g_fused = tape.gradient(ops::sum(ops::square(fused(x))), std::vector<Variable>{fused.kernel(), fused.bias()});
  }
  {
    GradientTape tape;
    const Tensor y2 = ops::relu(ops::conv(x, fused.kernel(), {.padding = "same"}) + fused.bias());
    g_ref = tape.gradient(ops::sum(ops::square(y2)), std::vector<Variable>{fused.kernel(), fused.bias()});
  }
  check_allclose(g_fused[0], g_ref[0], 1e-4, 1e-4);
  check_allclose(g_fused[1], g_ref[1], 1e-4, 1e-4);
}

TEST_CASE("Conv2D's config has Keras's keys in Keras's order") {
  layers::Conv2D conv(8, {3, 3}, {.strides = {2, 1}, .padding = "SAME", .activation = "relu"});
  const Config c = conv.get_config();
  CHECK(keys_of(c) == std::vector<std::string>{"name", "trainable", "dtype", "filters", "kernel_size", "strides",
                                               "padding", "data_format", "dilation_rate", "groups", "activation",
                                               "use_bias", "kernel_initializer", "bias_initializer",
                                               "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                                               "kernel_constraint", "bias_constraint"});
  CHECK(c["kernel_size"] == Config::array({3, 3}));
  CHECK(c["strides"] == Config::array({2, 1}));
  CHECK(c["dilation_rate"] == Config::array({1, 1}));
  CHECK(c["padding"] == "same");
  CHECK(c["data_format"] == "channels_last");
  CHECK(c["activation"] == "relu");
  // A Keras-written config (integers where Keras accepts them) loads.
  const Config keras_config = {{"class_name", "Conv2D"},
                               {"config", {{"name", "c"}, {"filters", 2}, {"kernel_size", 3}, {"strides", 1},
                                           {"padding", "valid"}, {"data_format", "channels_last"}}}};
  std::shared_ptr<Layer> loaded = deserialize_layer(keras_config);
  CHECK((*loaded)(ops::ones({1, 5, 5, 1})).shape() == Shape{1, 3, 3, 2});
}

TEST_CASE("A model with Conv2D saves and loads with its weights") {
  Sequential model({Input({6, 6, 2}), layers::Conv2D(3, {3, 3}, {.activation = "relu"}), layers::Flatten(),
                    layers::Dense(2)});
  const Tensor x = random_input({2, 6, 6, 2}, 5).astype(DType::float32);
  const Tensor y = model(x);
  keras::testing::TempDir dir;
  model.save(dir / "conv.keras");
  std::shared_ptr<Model> loaded = load_model(dir / "conv.keras");
  check_allclose((*loaded)(x), y, 1e-6, 1e-6);
}

TEST_CASE("Conv2D reads its kernel afresh after an assign (no stale reordered weights)") {
  layers::Conv2D conv(4, {3, 3}, {.padding = "same", .activation = "relu"});
  const Tensor x = random_input({2, 5, 5, 3}, 7).astype(DType::float32);
  conv(x);
  for (uint64_t seed : {8, 9}) {
    Variable kernel = conv.kernel();  // a handle to the same variable
    kernel.assign(random_input({3, 3, 3, 4}, seed).astype(DType::float32));
    const Tensor expected = ops::relu(ops::conv(x.astype(DType::float64), conv.kernel().value().astype(DType::float64),
                                                {.padding = "same"}) + conv.bias().value().astype(DType::float64));
    check_allclose(conv(x), expected, 1e-4, 1e-4);
  }
}

TEST_CASE("Conv2D reads its kernel afresh after an in-place optimizer update") {
  // Optimizers write a variable's buffer in place when nothing else holds it; the reordered-weights
  // cache must never serve the values from before the update.
  layers::Conv2D conv(4, {3, 3}, {.padding = "same"});
  const Tensor x = random_input({2, 5, 5, 3}, 7).astype(DType::float32);
  conv(x);
  optimizers::SGD sgd({.learning_rate = 0.5});
  for (int step = 0; step < 3; ++step) {
    conv(x);  // caches the reordered kernel
    const std::vector<Variable> vars = {conv.kernel()};
    sgd.apply_gradients({ops::ones_like(conv.kernel().value())}, vars);
    const Tensor expected = ops::conv(x.astype(DType::float64), conv.kernel().value().astype(DType::float64),
                                      {.padding = "same"}) + conv.bias().value().astype(DType::float64);
    check_allclose(conv(x), expected, 1e-4, 1e-4);
  }
}

TEST_CASE("A small CNN trains with fit: the loss falls") {
  // Label: whether the bright pixel sits in the left or the right half of a 6x6 image.
  std::vector<float> xs(64 * 36, 0.f), ys(64);
  for (int i = 0; i < 64; ++i) {
    const int row = (i * 5) % 6, col = (i * 7) % 6;
    xs[static_cast<size_t>(i * 36 + row * 6 + col)] = 1.f;
    ys[static_cast<size_t>(i)] = col < 3 ? 0.f : 1.f;
  }
  const Tensor x = Tensor::from_vector(xs, {64, 6, 6, 1}), y = Tensor::from_vector(ys, {64, 1});
  Sequential model({Input({6, 6, 1}), layers::Conv2D(8, {3, 3}, {.padding = "same", .activation = "relu"}),
                    layers::Conv2D(4, {3, 3}, {.strides = {2}, .activation = "relu"}), layers::Flatten(),
                    layers::Dense(1, {.activation = "sigmoid"})});
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}), .loss = "binary_crossentropy"});
  const History history = model.fit(x, y, {.batch_size = 16, .epochs = 30, .verbose = 0});
  CHECK(history["loss"].back() < 0.5 * history["loss"].front());
}

TEST_CASE("Conv2D rejects bad arguments with Keras's messages") {
  CHECK_THROWS_WITH_AS(layers::Conv2D(0, {3, 3}), doctest::Contains("Expected a strictly positive value. Received filters=0"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Conv2D(3, {3, 3}, {.groups = 2}),
                       doctest::Contains("The number of filters must be evenly divisible by the number of groups"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Conv2D(4, {3, 3}, {.padding = "causal"}), doctest::Contains("padding must be"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Conv2D(4, {3, 3}, {.strides = {2}, .dilation_rate = {2}}),
                       doctest::Contains("`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Conv2D(4, {3, 3, 3}), doctest::Contains("`kernel_size` argument must be a tuple of 2"),
                       ValueError);
  layers::Conv2D grouped(4, {3, 3}, {.groups = 2});
  CHECK_THROWS_WITH_AS(grouped(ops::zeros({1, 5, 5, 3})),
                       doctest::Contains("The number of input channels must be evenly divisible by the number of groups"),
                       ValueError);
  layers::Conv2D big(4, {7, 7});
  CHECK_THROWS_WITH_AS(big(ops::zeros({1, 5, 5, 3})), doctest::Contains("Computed output size would be negative"),
                       ValueError);
  layers::Conv2D named(4, {3, 3}, {.name = "conv_check"});
  named(ops::zeros({1, 5, 5, 3}));
  CHECK_THROWS_WITH_AS(named(ops::zeros({1, 5, 5, 2})),
                       doctest::Contains("Input 0 of layer \"conv_check\" is incompatible with the layer"), ValueError);
  CHECK_THROWS_WITH_AS(named(ops::zeros({5, 5, 3})), doctest::Contains("expected min_ndim=4, found ndim=3"),
                       ValueError);
}

}  // TEST_SUITE
