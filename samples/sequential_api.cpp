// The Sequential API: a model that is a plain stack of layers, each feeding the next
// (keras.Sequential). Build it, look at it with summary(), run it on a batch.
#include <keras/keras.h>

#include <iostream>

using namespace keras;

int main() {
  // 1. Describe the model. Input({784}) fixes the shape of one sample (a flattened 28x28 image);
  //    the batch axis is left free. Each Dense layer takes Keras's keyword arguments as an
  //    options struct, here the activation.
  Sequential model({Input({784}),
                    layers::Dense(64, {.activation = "relu"}),
                    layers::Dense(64, {.activation = "relu"}),
                    layers::Dense(10, {.activation = "softmax"})},
                   {.name = "mnist_mlp"});

  // 2. Because the input shape is known, every layer is already built: summary() prints the
  //    same table Keras prints, with output shapes and parameter counts.
  model.summary();

  // 3. A forward pass on random data: a batch of 4 "images" in, 4 rows of 10 probabilities out.
  Tensor x = random::uniform({4, 784}, {.seed = 42});
  Tensor probabilities = model(x);
  std::cout << "\noutput shape: " << probabilities.shape().str() << "\n";
  std::cout << "first row:    " << ops::slice(probabilities, {0, 0}, {1, 10}) << "\n";
  std::cout << "row sums:     " << ops::sum(probabilities, {1}) << "  (softmax: each row sums to 1)\n";

  // 4. predict() runs the same model in batches and concatenates the results.
  Tensor predicted = model.predict(x, {.batch_size = 2});
  std::cout << "predicted classes: " << ops::argmax(predicted, 1) << "\n";

  // 5. A Sequential model can also grow one layer at a time; without an Input it builds on its
  //    first call, taking the input shape from the data.
  Sequential grown({}, {.name = "grown"});
  grown.add(layers::Dense(8, {.activation = "tanh"}));
  grown.add(layers::Dense(1));
  std::cout << "\n'grown' is built: " << (grown.built() ? "yes" : "no") << "\n";
  Tensor y = grown(random::normal({3, 5}, {.seed = 7}));
  std::cout << "after one call on (3, 5): built, output shape " << y.shape().str() << "\n";
  grown.summary();
  return 0;
}
