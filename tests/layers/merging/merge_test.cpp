#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

TEST_SUITE("layers") {

TEST_CASE("A merge layer needs a list of at least 2 inputs") {
  CHECK_THROWS_WITH_AS(layers::Add()(ops::ones({2, 3})),
                       doctest::Contains("A merge layer should be called on a list of at least 2 inputs. Received 1 "
                                         "inputs. Full input_shape received: [(2, 3)]"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Multiply()(std::vector<KerasTensor>{Input({3})}),
                       doctest::Contains("at least 2 inputs. Received 1 inputs. Full input_shape received: [(None, 3)]"),
                       ValueError);
}

TEST_CASE("A merge layer rejects inputs with different batch sizes") {
  CHECK_THROWS_WITH_AS(layers::Add()(Tensors{ops::ones({2, 3}), ops::ones({3, 3})}),
                       doctest::Contains("Cannot merge tensors with different batch sizes. Received tensors with "
                                         "shapes [(2, 3), (3, 3)]"),
                       ValueError);
  // Batch 1 does not broadcast against another batch size either.
  CHECK_THROWS_AS(layers::Maximum()(Tensors{ops::ones({1, 3}), ops::ones({4, 3})}), ValueError);
}

TEST_CASE("A merge layer rejects shapes that do not broadcast after the batch axis") {
  CHECK_THROWS_WITH_AS(layers::Add()(Tensors{ops::ones({2, 3}), ops::ones({2, 4})}),
                       doctest::Contains("Inputs have incompatible shapes. Received shapes (3,) and (4,)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(layers::Average()(std::vector<KerasTensor>{Input({5, 3}), Input({4})}),
                       doctest::Contains("Received shapes (5, 3) and (4,)"), ValueError);
}

TEST_CASE("A merge layer checks shapes on every call, not only the first") {
  layers::Add add;
  add(Tensors{ops::ones({2, 3}), ops::ones({2, 3})});
  CHECK_THROWS_WITH_AS(add(Tensors{ops::ones({2, 3}), ops::ones({2, 4})}),
                       doctest::Contains("Inputs have incompatible shapes"), ValueError);
}

TEST_CASE("Merge broadcasting aligns lower-rank inputs right after the batch axis") {
  // (2, 3, 4) + (2, 4): the second gets an axis after the batch axis -> (2, 1, 4).
  Tensor a = ops::reshape(ops::arange(24.0), {2, 3, 4});
  Tensor b = ops::reshape(ops::arange(8.0), {2, 4});
  Tensor y = layers::Add()(Tensors{a, b}).at(0);
  check_allclose(y, a + ops::expand_dims(b, 1));
  // Size-1 axes broadcast; the batch axis stays the inputs'.
  Tensor c = ops::ones({2, 3, 1});
  check_allclose(layers::Multiply()(Tensors{a, c}).at(0), a);
}

TEST_CASE("Merge output shapes follow Keras's rules for None and 1") {
  layers::Add add;
  CHECK(add.compute_output_shape(std::vector<Shape>{{None, 3, 1}, {None, 4}}).at(0) == Shape{None, 3, 4});
  CHECK(add.compute_output_shape(std::vector<Shape>{{None, None}, {2, 5}}).at(0) == Shape{2, None});
  CHECK(add.compute_output_shape(std::vector<Shape>{{None, 1}, {None, 1}, {None, 6}}).at(0) == Shape{None, 6});
  KerasTensor y = layers::Add()({Input({3, 1}), Input({4})});
  CHECK(y.shape() == Shape{None, 3, 4});
}

TEST_CASE("Every merge layer is registered under its Keras class name") {
  const std::vector<std::string> names = registered_layers();
  for (const char* cls : {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}) {
    CHECK_MESSAGE(std::find(names.begin(), names.end(), cls) != names.end(), cls);
  }
}

TEST_CASE("A merge layer in a functional model runs on its two branches") {
  KerasTensor a = Input({4}, {.name = "left"});
  KerasTensor b = Input({4}, {.name = "right"});
  KerasTensor h = layers::Dense(4, {.name = "proj"})(a);
  KerasTensor sum = layers::Add({.name = "residual"})({h, b});
  Model model({a, b}, {sum});
  Tensor xa = random::normal({3, 4}, {.seed = 1}), xb = random::normal({3, 4}, {.seed = 2});
  Tensor y = model(Tensors{xa, xb}).at(0);
  check_allclose(y, (*model.get_layer("proj"))(xa) + xb);
  // The graph survives a config round trip.
  std::shared_ptr<Layer> copy = deserialize_layer(serialize_layer(model));
  copy->set_weights(model.get_weights());
  check_allclose((*copy)(Tensors{xa, xb}).at(0), y);
}

}  // TEST_SUITE
