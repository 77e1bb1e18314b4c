// Convolutional networks on Fashion-MNIST, the Keras way. By default trains the deeper variant
// (BatchNormalization + Dropout, ~0.92 test accuracy); `--simple` trains Keras's "simple CNN"
// instead. Prints the test accuracy and the time taken, and saves the model.
#include <keras/keras.h>

#include <chrono>
#include <cstdio>
#include <cstring>

using namespace keras;

namespace {

// Keras's simple CNN: two conv/pool blocks, then a small dense head.
Sequential simple_cnn() {
  return Sequential({Input({28, 28, 1}, {.name = "image"}),
                     layers::Conv2D(32, {3, 3}, {.activation = "relu"}),
                     layers::MaxPooling2D({2, 2}),
                     layers::Conv2D(64, {3, 3}, {.activation = "relu"}),
                     layers::MaxPooling2D({2, 2}),
                     layers::Flatten(),
                     layers::Dense(128, {.activation = "relu"}),
                     layers::Dense(10, {.activation = "softmax"})},
                    {.name = "simple_cnn"});
}

// The same two blocks with "same" padding, BatchNormalization between each convolution and its
// ReLU (so the convolution needs no bias), and Dropout before each dense layer.
Sequential batchnorm_cnn() {
  return Sequential({Input({28, 28, 1}, {.name = "image"}),
                     layers::Conv2D(32, {3, 3}, {.padding = "same", .use_bias = false}),
                     layers::BatchNormalization(),
                     layers::Activation("relu"),
                     layers::MaxPooling2D({2, 2}),
                     layers::Conv2D(64, {3, 3}, {.padding = "same", .use_bias = false}),
                     layers::BatchNormalization(),
                     layers::Activation("relu"),
                     layers::MaxPooling2D({2, 2}),
                     layers::Flatten(),
                     layers::Dropout(0.3),
                     layers::Dense(128, {.activation = "relu"}),
                     layers::Dropout(0.3),
                     layers::Dense(10, {.activation = "softmax"})},
                    {.name = "batchnorm_cnn"});
}

}  // namespace

int main(int argc, char** argv) {
  const bool simple = argc > 1 && std::strcmp(argv[1], "--simple") == 0;
  const auto start = std::chrono::steady_clock::now();

  // Images become (N, 28, 28, 1) float32 in [0, 1]: channels_last, Keras's default.
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  auto prepare = [](const Tensor& x) { return ops::reshape(x.astype(DType::float32) / 255.0, {x.shape()[0], 28, 28, 1}); };
  x_train = prepare(x_train);
  x_test = prepare(x_test);

  utils::set_random_seed(42);
  Sequential model = simple ? simple_cnn() : batchnorm_cnn();
  model.summary();
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});

  // Halve the learning rate when validation loss stalls; stop (keeping the best weights) when it
  // stops improving altogether.
  const int epochs = simple ? 10 : 15;
  History history = model.fit(
      x_train, y_train,
      {.batch_size = 128, .epochs = epochs,
       .callbacks = {callbacks::ReduceLROnPlateau({.monitor = "val_loss", .factor = 0.5, .patience = 2}),
                     callbacks::EarlyStopping({.monitor = "val_loss", .patience = 4, .restore_best_weights = true})},
       .validation_split = 0.1});

  Logs test = model.evaluate(x_test, y_test, {.verbose = 0});
  const std::string file = model.name() + ".keras";
  model.save(file);
  std::printf("test accuracy: %.4f (test loss %.4f) after %zu epochs\n", test["accuracy"], test["loss"],
              history["loss"].size());
  std::printf("saved %s; total time %.0f s\n", file.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}
