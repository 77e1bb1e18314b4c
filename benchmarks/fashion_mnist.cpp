// Fashion-MNIST MLP benchmark, keras-cpp side: the 784-256(relu)-128(relu)-10 classifier of the
// Keras tutorials, trained one epoch with fit (batch 128, Adam 1e-3), then predict and evaluate
// on the test set. benchmarks/fashion_mnist_torch.cpp runs the same workload in libtorch and
// scripts/bench.sh compares the two. Threads: $OMP_NUM_THREADS, default 2.
#include <keras/benchmarks/fashion_mnist_common.h>
#include <keras/keras.h>

#include <omp.h>

#include <cstdio>

using namespace keras;

int main() {
  omp_set_num_threads(bench::threads());
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  // Scaling and flattening happen once, outside the timed part, as they do for the libtorch side.
  auto prepare = [](const Tensor& x) { return ops::reshape(x.astype(DType::float32) / 255.0, {x.shape()[0], 784}); };
  const Tensor train = prepare(x_train);
  const Tensor test = prepare(x_test);

  utils::set_random_seed(1);
  Sequential model({Input({784}),
                    layers::Dense(256, {.activation = "relu"}),
                    layers::Dense(128, {.activation = "relu"}),
                    layers::Dense(10, {.activation = "softmax"})});
  model.compile({.optimizer = optimizers::Adam({.learning_rate = bench::kLearningRate}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});

  double start = bench::now();
  model.fit(train, y_train, {.batch_size = bench::kBatchSize, .epochs = 1, .verbose = 0});
  const double epoch_s = bench::now() - start;

  start = bench::now();
  const Tensor predicted = model.predict(test, {.batch_size = bench::kPredictBatchSize});
  const double infer_s = bench::now() - start;

  const Logs logs = model.evaluate(test, y_test, {.batch_size = bench::kPredictBatchSize, .verbose = 0});
  bench::print_result({"keras-cpp", epoch_s, static_cast<double>(train.shape()[0]), infer_s,
                       static_cast<double>(predicted.shape()[0]), logs.at("accuracy"), "mlp"});
  return 0;
}
