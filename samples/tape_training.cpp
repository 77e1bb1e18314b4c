// Trains a small classifier with nothing but ops, a GradientTape and a hand-written SGD update,
// the way a custom training loop looks in TensorFlow:
//
//   with tf.GradientTape() as tape:
//       loss = loss_fn(y, model(x))
//   grads = tape.gradient(loss, weights)
//   for w, g in zip(weights, grads): w.assign_sub(learning_rate * g)
//
// The data is generated: three interleaved spiral arms in the plane, one class per arm, which no
// linear model separates. Run it and watch the loss fall epoch by epoch.
#include <keras/keras.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace keras;

namespace {

constexpr int64_t kClasses = 3;
constexpr int64_t kPointsPerClass = 300;

struct Dataset {
  Tensor x;        // (n, 2) points
  Tensor one_hot;  // (n, classes) targets for the loss
  Tensor labels;   // (n,) int32 class indices for the accuracy
};

// Arm c sweeps the angle from 4c to 4c + 4 radians while its radius grows from 0 to 1.
Dataset make_spirals() {
  const int64_t n = kClasses * kPointsPerClass;
  const std::vector<float> noise = random::normal({n}, {.stddev = 0.2, .seed = 42}).to_vector<float>();
  std::vector<float> x, one_hot;
  std::vector<int32_t> labels;
  for (int64_t c = 0; c < kClasses; ++c) {
    for (int64_t i = 0; i < kPointsPerClass; ++i) {
      const float r = static_cast<float>(i) / (kPointsPerClass - 1);
      const float t = 4.f * (static_cast<float>(c) + r) + noise[static_cast<size_t>(c * kPointsPerClass + i)];
      x.push_back(r * std::sin(t));
      x.push_back(r * std::cos(t));
      for (int64_t k = 0; k < kClasses; ++k) one_hot.push_back(k == c ? 1.f : 0.f);
      labels.push_back(static_cast<int32_t>(c));
    }
  }
  return {Tensor::from_vector(x, {n, 2}), Tensor::from_vector(one_hot, {n, kClasses}), Tensor::from_vector(labels)};
}

// A two-hidden-layer perceptron, 2 -> 64 -> 64 -> 3, its weights plain Variables.
struct Mlp {
  std::vector<Variable> weights;

  explicit Mlp(int64_t hidden) {
    const int64_t sizes[] = {2, hidden, hidden, kClasses};
    for (uint64_t layer = 0; layer < 3; ++layer) {
      const int64_t fan_in = sizes[layer], fan_out = sizes[layer + 1];
      // Glorot normal: keeps the activations' scale roughly constant from layer to layer.
      const double stddev = std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
      weights.emplace_back(random::normal({fan_in, fan_out}, {.stddev = stddev, .seed = layer}),
                           VariableOptions{.name = "kernel_" + std::to_string(layer)});
      weights.emplace_back(ops::zeros({fan_out}), VariableOptions{.name = "bias_" + std::to_string(layer)});
    }
  }

  Tensor operator()(const Tensor& x) const {
    Tensor h = x;
    for (size_t layer = 0; layer < 3; ++layer) {
      h = ops::matmul(h, weights[2 * layer]) + weights[2 * layer + 1];
      if (layer < 2) h = ops::tanh(h);
    }
    return h;  // logits
  }
};

// Softmax cross-entropy from logits: logsumexp(z) - z[label], averaged over the batch.
Tensor cross_entropy(const Tensor& logits, const Tensor& one_hot) {
  return ops::mean(ops::logsumexp(logits, -1) - ops::sum(logits * one_hot, -1));
}

float accuracy(const Tensor& logits, const Tensor& labels) {
  const Tensor correct = ops::equal(ops::argmax(logits, -1), labels);
  return ops::mean(ops::cast(correct, DType::float32)).item<float>();
}

}  // namespace

int main() {
  const Dataset data = make_spirals();
  Mlp model(64);
  const double learning_rate = 0.5;
  const int epochs = 1500;
  std::printf("Training a 2-64-64-3 tanh MLP on %lld spiral points (full batch, SGD, learning_rate=%g)\n",
              static_cast<long long>(data.x.shape()[0]), learning_rate);

  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    GradientTape tape;  // records the forward pass; the weights are watched because they are read
    const Tensor logits = model(data.x);
    const Tensor loss = cross_entropy(logits, data.one_hot);
    const Tensors grads = tape.gradient(loss, model.weights);
    for (size_t i = 0; i < grads.size(); ++i) model.weights[i].assign_sub(grads[i] * learning_rate);
    if (epoch == 1 || epoch % 100 == 0) {
      std::printf("epoch %4d  loss %.4f  accuracy %.3f\n", epoch, loss.item<float>(), accuracy(logits, data.labels));
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const Tensor logits = model(data.x);
  std::printf("final     loss %.4f  accuracy %.3f  (%d epochs in %.1f s)\n",
              cross_entropy(logits, data.one_hot).item<float>(), accuracy(logits, data.labels), epochs, seconds);
  return 0;
}
