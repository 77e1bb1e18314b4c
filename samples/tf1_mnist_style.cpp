// A TensorFlow 1 script ported line for line: first build a graph of placeholders, variables and
// ops, then run it in a Session, feeding batches. The model is a 784-128-10 ReLU MLP trained with
// Adam on Fashion-MNIST; the TF1 original reads
//
//   x = tf.placeholder(tf.float32, [None, 784]); y_ = tf.placeholder(tf.int32, [None])
//   W1 = tf.Variable(tf.truncated_normal([784, 128], stddev=0.05)); b1 = tf.Variable(tf.zeros([128]))
//   ...
//   loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_, logits=logits))
//   train_step = tf.train.AdamOptimizer(1e-3).minimize(loss)
//   with tf.Session() as sess:
//       sess.run(tf.global_variables_initializer())
//       for step in range(600): sess.run(train_step, feed_dict={x: batch_x, y_: batch_y})
#include <keras/keras.h>

#include <chrono>
#include <cstdio>

using namespace keras;
namespace tf = keras::compat::v1;

int main() {
  const auto start = std::chrono::steady_clock::now();

  // Data: uint8 images (N, 28, 28) and labels (N,); the pixels go in as floats in [0, 1].
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  auto prepare = [](const Tensor& x) { return ops::reshape(x.astype(DType::float32) / 255.0, {x.shape()[0], 784}); };
  x_train = prepare(x_train);
  x_test = prepare(x_test);

  // 1. Define: nothing is computed here, the calls only add nodes to the default graph.
  const tf::Tensor x = tf::placeholder(DType::float32, Shape{None, 784}, "x");
  const tf::Tensor y_ = tf::placeholder(DType::int32, Shape{None}, "labels");
  const tf::Variable w1(tf::truncated_normal({784, 128}, {.stddev = 0.05, .seed = 1}), {.name = "W1"});
  const tf::Variable b1(tf::zeros({128}), {.name = "b1"});
  const tf::Variable w2(tf::truncated_normal({128, 10}, {.stddev = 0.05, .seed = 2}), {.name = "W2"});
  const tf::Variable b2(tf::zeros({10}), {.name = "b2"});
  const tf::Tensor hidden = tf::nn::relu(tf::matmul(x, w1) + b1);
  const tf::Tensor logits = tf::matmul(hidden, w2) + b2;
  const tf::Tensor loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(y_, logits));
  const tf::Operation train_step = tf::train::AdamOptimizer(1e-3).minimize(loss);
  const tf::Tensor correct = tf::equal(tf::argmax(logits, 1), tf::cast(y_, DType::int64));
  const tf::Tensor accuracy = tf::reduce_mean(tf::cast(correct, DType::float32));
  std::printf("graph: %zu operations; logits %s\n", tf::get_default_graph().get_operations().size(),
              logits.shape()->str().c_str());

  // 2. Run: the session holds the variables' values; each run evaluates what its fetches need.
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const int64_t batch_size = 100, steps = 600, n = x_train.shape()[0];
  for (int64_t step = 1; step <= steps; ++step) {
    const int64_t begin = ((step - 1) * batch_size) % n;
    const Tensor batch_x = ops::slice(x_train, {begin, 0}, {batch_size, 784});
    const Tensor batch_y = ops::slice(y_train, {begin}, {batch_size});
    const Tensors out = sess.run({loss, train_step}, {{x, batch_x}, {y_, batch_y}});
    if (step % 100 == 0) {
      const float test_accuracy = sess.run(accuracy, {{x, x_test}, {y_, y_test}}).item<float>();
      std::printf("step %4lld  batch loss %.4f  test accuracy %.4f\n", static_cast<long long>(step),
                  out[0].item<float>(), test_accuracy);
    }
  }
  const float final_accuracy = sess.run(accuracy, {{x, x_test}, {y_, y_test}}).item<float>();
  std::printf("final test accuracy %.4f after %lld steps (%.1f s)\n", final_accuracy, static_cast<long long>(steps),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}
