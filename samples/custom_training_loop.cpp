// Training Fashion-MNIST with your own loop: a GradientTape, an optimizer and metrics by hand.
// The third rung of Keras's ladder: the same model as fashion_mnist_mlp, with every step visible.
#include <keras/keras.h>

#include <chrono>
#include <cstdio>

using namespace keras;

int main() {
  // 1. Data: uint8 images scaled to [0, 1] and flattened; labels as integers.
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  auto prepare = [](const Tensor& x) { return ops::reshape(x.astype(DType::float32) / 255.0, {x.shape()[0], 784}); };
  Tensor x_all = prepare(x_train), x_eval = prepare(x_test);
  Tensor y_all = y_train.astype(DType::int32), y_eval = y_test.astype(DType::int32);
  // Keep the last 5000 training images for validation.
  Tensor x_fit = ops::slice(x_all, {0, 0}, {55000, 784}), y_fit = ops::slice(y_all, {0}, {55000});
  Tensor x_val = ops::slice(x_all, {55000, 0}, {5000, 784}), y_val = ops::slice(y_all, {55000}, {5000});

  // 2. A model, a loss, an optimizer and metrics: nothing is compiled.
  utils::set_random_seed(7);
  Sequential model({Input({784}), layers::Dense(256, {.activation = "relu"}), layers::Dense(128, {.activation = "relu"}),
                    layers::Dense(10)});
  losses::SparseCategoricalCrossentropy loss_fn({.from_logits = true});
  optimizers::Adam optimizer({.learning_rate = 1e-3});
  metrics::SparseCategoricalAccuracy train_acc, val_acc;

  const data::Dataset train = data::Dataset::from_tensor_slices(Tensors{x_fit, y_fit}).shuffle(55000, 1).batch(128);
  const data::Dataset val = data::Dataset::from_tensor_slices(Tensors{x_val, y_val}).batch(512);

  for (int epoch = 0; epoch < 8; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t steps = 0;
    for (const data::Element& batch : train) {
      // 3. One step: forward under a tape, gradients, update.
      std::vector<Variable> weights = model.trainable_weights();
      GradientTape tape;
      Tensor logits = model(batch[0], true);
      Tensor loss = loss_fn(batch[1], logits);
      Tensors grads = tape.gradient(loss, weights);
      optimizer.apply_gradients(grads, weights);
      train_acc.update_state(batch[1], logits);
      loss_sum += loss.item<double>();
      ++steps;
    }
    // 4. Validation at the end of each epoch.
    for (const data::Element& batch : val) val_acc.update_state(batch[1], model(batch[0], false));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("epoch %d: loss %.4f - accuracy %.4f - val_accuracy %.4f (%.1fs)\n", epoch + 1,
                loss_sum / static_cast<double>(steps), train_acc.result().item<double>(), val_acc.result().item<double>(),
                seconds);
    train_acc.reset_state();
    val_acc.reset_state();
  }

  // 5. Test accuracy.
  metrics::SparseCategoricalAccuracy test_acc;
  test_acc.update_state(y_eval, model.predict(x_eval, {.batch_size = 1000}));
  std::printf("test accuracy: %.4f\n", test_acc.result().item<double>());
  return 0;
}
