#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::run_layer_test;

namespace {
// Inputs in [0, 1) spread widely enough that a window's maximum has no near-tie for the gradient check.
keras::testing::LayerTestOptions pooling_test(Shape in, Shape out) {
  return {.input_shapes = {std::move(in)}, .expected_output_shape = std::move(out), .input_low = 0.0, .input_high = 1.0};
}
}  // namespace

TEST_SUITE("layers") {

TEST_CASE("MaxPooling1D/2D/3D and AveragePooling1D/2D/3D pass the layer harness") {
  run_layer_test([] { return layers::MaxPooling1D(); }, pooling_test({2, 7, 3}, {2, 3, 3}));
  run_layer_test([] { return layers::MaxPooling2D({3}, {.strides = {2}, .padding = "same"}); },
                 pooling_test({2, 5, 6, 2}, {2, 3, 3, 2}));
  run_layer_test([] { return layers::MaxPooling3D({2, 2, 2}, {.data_format = "channels_first"}); },
                 pooling_test({1, 2, 4, 4, 5}, {1, 2, 2, 2, 2}));
  run_layer_test([] { return layers::AveragePooling1D({3}, {.strides = {1}, .padding = "same"}); },
                 pooling_test({2, 5, 3}, {2, 5, 3}));
  run_layer_test([] { return layers::AveragePooling2D({2, 3}, {.data_format = "channels_first"}); },
                 pooling_test({2, 3, 4, 7}, {2, 3, 2, 2}));
  run_layer_test([] { return layers::AveragePooling3D({2}, {.strides = {1, 2, 2}, .padding = "same"}); },
                 pooling_test({1, 3, 4, 5, 2}, {1, 3, 2, 3, 2}));
}

TEST_CASE("MaxPooling2D and AveragePooling2D give the documented values") {
  const Tensor x = Tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f, 9.f, 10.f, 11.f, 12.f}, {1, 3, 4, 1});
  check_allclose(layers::MaxPooling2D({2, 2})(x), Tensor({6.f, 8.f}, {1, 1, 2, 1}));
  check_allclose(layers::AveragePooling2D({2, 2})(x), Tensor({3.5f, 5.5f}, {1, 1, 2, 1}));
  // "same" with stride 2 on 3 rows: the second row of windows holds only the last input row.
  check_allclose(layers::AveragePooling2D({2, 2}, {.padding = "same"})(x),
                 Tensor({3.5f, 5.5f, 9.5f, 11.5f}, {1, 2, 2, 1}));
}

TEST_CASE("Pooling layers' configs hold Keras's keys and tuples, and unset strides become pool_size") {
  const Config c = layers::MaxPooling2D({3}).get_config();
  CHECK(keras::testing::keys_of(c) == std::vector<std::string>{"name", "trainable", "dtype", "pool_size", "padding", "strides", "data_format"});
  CHECK(c["name"].get<std::string>().rfind("max_pooling2d", 0) == 0);  // "max_pooling2d" or "max_pooling2d_N"
  CHECK(c["pool_size"].dump() == "[3,3]");
  CHECK(c["strides"].dump() == "[3,3]");
  CHECK(c["padding"] == "valid");
  CHECK(c["data_format"] == "channels_last");
  CHECK(layers::AveragePooling1D().get_config()["pool_size"].dump() == "[2]");
  CHECK(layers::AveragePooling3D().get_config()["name"].get<std::string>().rfind("average_pooling3d", 0) == 0);  // "average_pooling3d" or "average_pooling3d_N"
  // Keras's own JSON: ints rather than lists, strides null.
  const Config keras_json = {{"class_name", "MaxPooling2D"},
                             {"config", {{"name", "mp"}, {"pool_size", 2}, {"strides", nullptr}, {"padding", "same"},
                                         {"data_format", "channels_last"}, {"trainable", true}}}};
  std::shared_ptr<Layer> layer = deserialize_layer(keras_json);
  CHECK(layer->get_config()["strides"].dump() == "[2,2]");
  CHECK(layer->get_config()["padding"] == "same");
}

TEST_CASE("Pooling layers infer None dimensions and reject bad arguments") {
  layers::MaxPooling2D pool({2});
  CHECK(pool.compute_output_shape(Shape{None, None, 9, 4}) == Shape{None, None, 4, 4});
  CHECK_THROWS_WITH_AS(pool.compute_output_shape(Shape{None, 1, 9, 4}), doctest::Contains("Computed output size would be negative"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::MaxPooling2D({2, 2, 2}), doctest::Contains("pool_size"), ValueError);
  CHECK_THROWS_WITH_AS(layers::AveragePooling1D({2}, {.padding = "full"}), doctest::Contains("padding"), ValueError);
  CHECK_THROWS_WITH_AS(layers::MaxPooling1D({2}, {.data_format = "channels_middle"}), doctest::Contains("data_format"),
                       ValueError);
  CHECK_THROWS_WITH_AS(pool(ops::zeros({2, 4, 4})), doctest::Contains("expected ndim=4, found ndim=3"), ValueError);
}

TEST_CASE("GlobalMaxPooling and GlobalAveragePooling pass the layer harness in 1-D, 2-D and 3-D") {
  run_layer_test([] { return layers::GlobalMaxPooling1D(); }, pooling_test({2, 5, 3}, {2, 3}));
  run_layer_test([] { return layers::GlobalMaxPooling2D({.keepdims = true}); }, pooling_test({2, 4, 3, 5}, {2, 1, 1, 5}));
  run_layer_test([] { return layers::GlobalMaxPooling3D({.data_format = "channels_first"}); },
                 pooling_test({2, 3, 2, 3, 2}, {2, 3}));
  run_layer_test([] { return layers::GlobalAveragePooling1D({.data_format = "channels_first", .keepdims = true}); },
                 pooling_test({2, 4, 6}, {2, 4, 1}));
  run_layer_test([] { return layers::GlobalAveragePooling2D(); }, pooling_test({2, 4, 3, 5}, {2, 5}));
  run_layer_test([] { return layers::GlobalAveragePooling3D({.keepdims = true}); },
                 pooling_test({1, 2, 3, 2, 4}, {1, 1, 1, 1, 4}));
}

TEST_CASE("Global pooling layers compute the max and mean over the spatial axes") {
  const Tensor x = Tensor({1.f, 8.f, 3.f, 4.f, 5.f, 2.f}, {1, 3, 2});  // steps 3, channels 2
  check_allclose(layers::GlobalMaxPooling1D()(x), Tensor({5.f, 8.f}, {1, 2}));
  check_allclose(layers::GlobalAveragePooling1D()(x), Tensor({3.f, 14.f / 3.f}, {1, 2}));
  check_allclose(layers::GlobalAveragePooling1D({.data_format = "channels_first"})(x), Tensor({4.5f, 3.5f, 3.5f}, {1, 3}));
  const Config c = layers::GlobalAveragePooling2D({.keepdims = true}).get_config();
  CHECK(keras::testing::keys_of(c) == std::vector<std::string>{"name", "trainable", "dtype", "data_format", "keepdims"});
  CHECK(c["keepdims"] == true);
  CHECK(c["name"].get<std::string>().rfind("global_average_pooling2d", 0) == 0);  // "global_average_pooling2d" or "global_average_pooling2d_N"
  CHECK(layers::GlobalMaxPooling3D().compute_output_shape(Shape{None, 2, 3, 4, 5}) == Shape{None, 5});
}

TEST_CASE("MaxPooling2D trains in a Sequential model after a Dense layer") {
  Sequential model({Input({4, 4, 1}), layers::MaxPooling2D({2}), layers::Flatten(), layers::Dense(1)});
  const Tensor x = random::uniform({8, 4, 4, 1}, {.seed = 1});
  GradientTape tape;
  const Tensor loss = ops::mean(ops::square(model(x, true)));
  const Tensors grads = tape.gradient(loss, model.trainable_weights());
  REQUIRE(grads.size() == 2);
  CHECK(grads[0].defined());
}

}  // TEST_SUITE
