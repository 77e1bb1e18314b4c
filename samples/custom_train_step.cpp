// Customising what fit() does: a subclassed Model that overrides train_step, as in Keras's guide
// "Customizing what happens in fit()". fit() still runs callbacks and the progress bar.
#include <keras/keras.h>

#include <cstdio>

using namespace keras;

// A classifier whose training step also tracks the gradient norm, reported as a metric.
class GradientNormModel : public Model {
 public:
  GradientNormModel() : Model("GradientNormModel") { track(hidden_, output_); }

  Tensor call(const Tensor& x, bool training) override { return output_(hidden_(x, training), training); }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GradientNormModel>(*this); }

  Logs train_step(const Batch& data) override {
    const std::vector<Variable> weights = trainable_weights();
    Tensor loss;
    Tensors y_pred, grads;
    {
      GradientTape tape;
      y_pred = {(*this)(data.x[0], true)};
      loss = compute_loss(data, y_pred);
      grads = tape.gradient(loss, weights);
    }
    optimizer().apply_gradients(grads, weights);
    Logs logs = compute_metrics(data, y_pred, loss);
    // Our own addition to the logs: the global norm of this batch's gradients.
    Tensor sq = ops::zeros({});
    for (const Tensor& g : grads) sq = sq + ops::sum(ops::square(g));
    grad_norm_.update_state(ops::sqrt(sq));
    logs["grad_norm"] = grad_norm_.result().item<double>();
    return logs;
  }

 private:
  layers::Dense hidden_{128, {.activation = "relu"}};
  layers::Dense output_{10, {.activation = "softmax"}};
  metrics::Mean grad_norm_{{.name = "grad_norm"}};
};

int main() {
  auto [x_train, y_train, x_test, y_test] = datasets::fashion_mnist::load_data();
  auto prepare = [](const Tensor& x) { return ops::reshape(x.astype(DType::float32) / 255.0, {x.shape()[0], 784}); };

  utils::set_random_seed(3);
  GradientNormModel model;
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}), .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  model.fit(prepare(x_train), y_train, {.batch_size = 128, .epochs = 3});
  Logs logs = model.evaluate(prepare(x_test), y_test, {.verbose = 0});
  std::printf("test accuracy: %.4f\n", logs["accuracy"]);
  return 0;
}
