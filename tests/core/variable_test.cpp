#include <keras/keras.h>

#include <doctest/doctest.h>

using namespace keras;

TEST_SUITE("core") {

TEST_CASE("Variable::writable_value updates in place when nothing else holds the buffer") {
  Variable v(Tensor({1.f, 2.f}));
  const void* before = v.writable_value().data();
  Tensor w = v.writable_value();
  CHECK(w.data() == before);
  w.mutable_data<float>()[0] = 5.f;
  CHECK(v.value().to_vector<float>() == std::vector<float>{5.f, 2.f});
}

TEST_CASE("Variable::writable_value copies first when a Tensor read earlier shares the buffer") {
  Variable v(Tensor({1.f, 2.f}));
  const Tensor read = v.value();
  const Tensor view = ops::reshape(v.value(), {2, 1});
  Tensor w = v.writable_value();
  CHECK(w.data() != read.data());
  w.mutable_data<float>()[0] = 5.f;
  CHECK(read.to_vector<float>() == std::vector<float>{1.f, 2.f});
  CHECK(view.to_vector<float>() == std::vector<float>{1.f, 2.f});
  CHECK(v.value().to_vector<float>() == std::vector<float>{5.f, 2.f});
}

TEST_CASE("an optimizer step leaves a Tensor read before it with its value") {
  for (const char* name : {"adam", "adamw", "sgd", "rmsprop"}) {
    CAPTURE(name);
    auto optimizer = get_optimizer(name);
    Variable w(Tensor({1.f, -2.f}), {.name = "w"});
    optimizer->apply_gradients({Tensor({0.5f, -1.f})}, {w});  // builds the slots; w is now updated in place
    const Tensor read = w.value();
    const std::vector<float> seen = read.to_vector<float>();
    optimizer->apply_gradients({Tensor({0.5f, -1.f})}, {w});
    CHECK(read.to_vector<float>() == seen);
    CHECK(w.value().to_vector<float>() != seen);
  }
}

TEST_CASE("a training step with Adam updates the weights in their own buffers") {
  Sequential model({Input({3}), layers::Dense(4, {.activation = "relu"}), layers::Dense(2)});
  model.compile({.optimizer = optimizers::Adam(), .loss = "mse"});
  const Tensor x = ops::ones({5, 3}), y = ops::zeros({5, 2});
  model.train_on_batch({x}, {y});  // builds the optimizer's slots
  std::vector<const void*> buffers;
  for (Variable v : model.trainable_weights()) buffers.push_back(v.writable_value().data());
  model.train_on_batch({x}, {y});
  const std::vector<Variable> after = model.trainable_weights();
  for (size_t i = 0; i < after.size(); ++i) CHECK(Variable(after[i]).writable_value().data() == buffers[i]);
}

}  // TEST_SUITE
