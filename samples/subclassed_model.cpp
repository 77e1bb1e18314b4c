// Subclassing Model: write the forward pass as ordinary code in call(), with layers as members
// (the keras.Model subclassing style). Registering the class lets saved configs load it back.
#include <keras/keras.h>

#include <nlohmann/json.hpp>

#include <iostream>

using namespace keras;

// 1. The model: layers are members, tracked in the constructor so that their weights belong to
//    the model; call() may hold any code between layer calls — here a residual connection.
class ResidualMlp final : public Model {
 public:
  explicit ResidualMlp(int64_t units = 32, int64_t classes = 4, ModelOptions options = {})
      : Model("ResidualMlp", std::move(options)),
        units_(units),
        classes_(classes),
        project_(units, {.name = "project"}),
        hidden_(units, {.activation = "relu", .name = "hidden"}),
        head_(classes, {.activation = "softmax", .name = "head"}) {
    track(project_, hidden_, head_);
  }

  using Model::call;
  Tensor call(const Tensor& x, bool training) override {
    Tensor h = project_(x, training);
    h = h + hidden_(h, training);  // residual: the hidden layer learns a correction to h
    return head_(h, training);
  }

  // 2. Saving support: the constructor arguments go in the config, from_config rebuilds from them.
  Config get_config() const override {
    Config config = Model::get_config();
    config["units"] = units_;
    config["classes"] = classes_;
    return config;
  }
  static std::shared_ptr<Layer> from_config(const Config& config) {
    const LayerOptions base = base_options(config);
    return std::make_shared<ResidualMlp>(config.at("units").get<int64_t>(), config.at("classes").get<int64_t>(),
                                         ModelOptions{.name = base.name, .trainable = base.trainable});
  }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<ResidualMlp>(*this); }

 private:
  int64_t units_;
  int64_t classes_;
  layers::Dense project_;
  layers::Dense hidden_;
  layers::Dense head_;
};

// 3. Register under "package>Name", as keras.saving.register_keras_serializable(package=...) does.
[[maybe_unused]] static const bool registered = register_layer("samples>ResidualMlp", &ResidualMlp::from_config);

int main() {
  ResidualMlp model(32, 4, {.name = "residual_mlp"});

  // 4. Before the first call nothing knows the input size: the layers are unbuilt.
  model.summary();

  // 5. The first call builds every layer from the data's shape, then runs the forward pass.
  Tensor x = random::normal({5, 20}, {.seed = 3});
  Tensor y = model(x);
  std::cout << "\noutput shape: " << y.shape().str() << "\nfirst two rows:\n" << ops::slice(y, {0, 0}, {2, 4}) << "\n\n";
  model.summary();

  // 6. Save the architecture and reload it through the registry; copy the weights over.
  const Config saved = serialize_layer(model);
  std::cout << "\nregistered_name: " << saved["registered_name"] << ", config: " << saved["config"].dump() << "\n";
  std::shared_ptr<Layer> restored = deserialize_layer(saved);
  restored->set_weights(model.get_weights());
  const double difference = ops::max(ops::abs((*restored)(x) - y)).item<double>();
  std::cout << "restored model gives the same outputs (max difference " << difference << ")\n";

  // 7. A subclassed model is a layer too: use it inside a functional graph.
  KerasTensor inputs = Input({20}, {.name = "features"});
  Model wrapper(inputs, model(inputs), {.name = "wrapper"});
  std::cout << "\nas a layer of a functional model: output " << wrapper.outputs()[0].shape().str() << ", "
            << wrapper.count_params() << " parameters\n";
  return 0;
}
