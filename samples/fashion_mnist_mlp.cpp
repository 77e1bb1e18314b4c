// The README's main job: train an MLP on Fashion-MNIST the Keras way, with callbacks, then test
// and save it. The first and second rungs of Keras's training ladder: fit(), then fit() + callbacks.
#include <keras/keras.h>

#include <chrono>
#include <cstdio>

using namespace keras;

int main() {
  const auto start = std::chrono::steady_clock::now();

  // 1. Data: keras.datasets.fashion_mnist gives uint8 images (N, 28, 28) and labels (N,).
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  auto prepare = [](const Tensor& x) { return ops::reshape(x.astype(DType::float32) / 255.0, {x.shape()[0], 784}); };
  x_train = prepare(x_train);
  x_test = prepare(x_test);

  // 2. The model: a Sequential stack, as in Keras.
  utils::set_random_seed(42);
  Sequential model({Input({784}, {.name = "pixels"}),
                    layers::Dense(256, {.activation = "relu"}),
                    layers::Dense(128, {.activation = "relu"}),
                    layers::Dense(10, {.activation = "softmax"})},
                   {.name = "fashion_mnist_mlp"});
  model.summary();

  // 3. compile: optimizer, loss and metrics by Keras name or object.
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});

  // 4. fit with callbacks: stop when validation loss stops improving (keeping the best weights),
  //    keep a checkpoint of the best epoch, and log each epoch to a CSV file.
  History history = model.fit(
      x_train, y_train,
      {.batch_size = 128, .epochs = 12,
       .callbacks = {callbacks::EarlyStopping({.monitor = "val_loss", .patience = 3, .restore_best_weights = true}),
                     callbacks::ModelCheckpoint("fashion_mnist_mlp.best.keras", {.save_best_only = true}),
                     callbacks::CSVLogger("fashion_mnist_mlp.csv")},
       .validation_split = 0.1});

  // 5. Evaluate on the test set and save the model.
  Logs test = model.evaluate(x_test, y_test, {.verbose = 0});
  std::printf("test accuracy: %.4f (test loss %.4f) after %zu epochs\n", test["accuracy"], test["loss"],
              history["loss"].size());
  model.save("fashion_mnist_mlp.keras");
  std::printf("saved fashion_mnist_mlp.keras; total time %.0f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}
