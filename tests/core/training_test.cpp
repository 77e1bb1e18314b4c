#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace keras;

namespace {

// XOR as four tight clusters around (+-1, +-1): class 1 where the signs differ. No straight line
// separates the classes, so the hidden layer has to do the work.
struct XorData {
  Tensor x;       // (n, 2) float32
  Tensor y;       // (n, 2) one-hot float32
  Tensor labels;  // (n,) int32
};

XorData make_xor(int64_t per_cluster) {
  const Tensor noise = random::normal({4 * per_cluster, 2}, {.stddev = 0.1, .seed = 3});
  const std::vector<float> eps = noise.to_vector<float>();
  std::vector<float> x, y;
  std::vector<int32_t> labels;
  for (int64_t c = 0; c < 4; ++c) {
    const float cx = (c & 1) ? 1.f : -1.f, cy = (c & 2) ? 1.f : -1.f;
    const int32_t label = (cx > 0) != (cy > 0);
    for (int64_t i = 0; i < per_cluster; ++i) {
      const size_t k = static_cast<size_t>(2 * (c * per_cluster + i));
      x.push_back(cx + eps[k]);
      x.push_back(cy + eps[k + 1]);
      y.push_back(label == 0);
      y.push_back(label == 1);
      labels.push_back(label);
    }
  }
  const int64_t n = 4 * per_cluster;
  return {Tensor::from_vector(x, {n, 2}), Tensor::from_vector(y, {n, 2}), Tensor::from_vector(labels)};
}

// Softmax cross-entropy from logits, written with ops only: logsumexp(z) - z[label].
Tensor cross_entropy(const Tensor& logits, const Tensor& one_hot) {
  return ops::mean(ops::logsumexp(logits, -1) - ops::sum(logits * one_hot, -1));
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("A 2-layer network trained with GradientTape and hand-written SGD fits XOR to near-zero loss") {
  const XorData data = make_xor(16);
  Variable w1(random::normal({2, 16}, {.stddev = 0.7, .seed = 1}), {.name = "w1"});
  Variable b1(ops::zeros({16}), {.name = "b1"});
  Variable w2(random::normal({16, 2}, {.stddev = 0.35, .seed = 2}), {.name = "w2"});
  Variable b2(ops::zeros({2}), {.name = "b2"});
  std::vector<Variable> params{w1, b1, w2, b2};  // handles: updating these updates w1, b1, ...
  auto forward = [&] { return ops::matmul(ops::tanh(ops::matmul(data.x, w1) + b1), w2) + b2; };

  const double learning_rate = 0.5;
  std::vector<float> losses;
  for (int step = 0; step < 300; ++step) {
    GradientTape tape;
    const Tensor loss = cross_entropy(forward(), data.y);
    const Tensors grads = tape.gradient(loss, params);
    for (size_t i = 0; i < params.size(); ++i) params[i].assign_sub(grads[i] * learning_rate);
    losses.push_back(loss.item<float>());
  }

  INFO("loss at steps 0, 150, 299: ", losses.front(), ", ", losses[150], ", ", losses.back());
  CHECK(losses.front() > 0.3f);  // an untrained network does not already know XOR
  CHECK(losses.back() < 0.01f);
  CHECK(losses.back() < losses[losses.size() / 2]);  // still falling, not oscillating at the end
  const Tensor correct = ops::equal(ops::argmax(forward(), -1), data.labels);
  CHECK(ops::mean(ops::cast(correct, DType::float32)).item<float>() == 1.f);
}

}  // TEST_SUITE
