// The Functional API: a model is a graph of layer calls on symbolic tensors (keras.Model(inputs,
// outputs)). Graphs can have several inputs and outputs, and a layer can be called more than once.
#include <keras/keras.h>

#include <iostream>

using namespace keras;

int main() {
  // 1. Symbolic inputs: Input() makes a KerasTensor of shape (None, 16) — no data, only a shape.
  KerasTensor left = Input({16}, {.name = "left"});
  KerasTensor right = Input({16}, {.name = "right"});

  // 2. Calling a layer on a KerasTensor records the call and returns the output's KerasTensor.
  //    The same `encoder` object is called on both inputs: its weights are shared.
  layers::Dense encoder(8, {.activation = "relu", .name = "encoder"});
  KerasTensor left_code = encoder(left);
  KerasTensor right_code = encoder(right);
  std::cout << "encoded: " << left_code.str() << "\n\n";

  // 3. Two heads, one per branch: a score in [0, 1] and a distribution over 3 labels.
  KerasTensor score = layers::Dense(1, {.activation = "sigmoid", .name = "score"})(left_code);
  KerasTensor label = layers::Dense(3, {.activation = "softmax", .name = "label"})(right_code);

  // 4. The model is the graph between the inputs and the outputs. As it is not a simple chain,
  //    summary() adds Keras's "Connected to" column: layer[node][tensor] for each input; the
  //    shared encoder shows both of its calls.
  Model model({left, right}, {score, label}, {.name = "two_towers"});
  model.summary();

  // 5. Run it: one tensor per input, in the order given; one tensor per output comes back.
  Tensors outputs = model({random::normal({2, 16}, {.seed = 1}), random::normal({2, 16}, {.seed = 2})});
  std::cout << "\nscore: shape " << outputs[0].shape().str() << "\n" << outputs[0] << "\n";
  std::cout << "label: shape " << outputs[1].shape().str() << "\n" << outputs[1] << "\n";

  // 6. A built model is itself a layer: call it on new symbolic inputs to nest it in a bigger graph.
  KerasTensor a = Input({16}, {.name = "a"});
  KerasTensor b = Input({16}, {.name = "b"});
  std::vector<KerasTensor> nested = model.call_symbolic({a, b}, true);
  Model wrapper({a, b}, {nested[1]}, {.name = "label_only"});
  std::cout << "\n'label_only' reuses every weight of 'two_towers': " << wrapper.count_params() << " of "
            << model.count_params() << " parameters are shared\n";
  return 0;
}
