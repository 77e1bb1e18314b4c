#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace keras;
using keras::testing::check_allclose;

namespace {

// Every built-in layer class, by its Keras class name. The names after the first four come from
// branches not yet merged when this list was written (marked "pending merge"); once they are, this
// list is complete and both tests below pass. Add a name here with every new built-in layer.
const std::vector<std::string>& expected_builtin_layers() {
  static const std::vector<std::string> names = {
      // merged
      "InputLayer", "Dense", "Sequential", "Functional",
      // pending merge: core and regularization layers
      "Activation", "Dropout", "Flatten", "Reshape", "Permute", "RepeatVector", "Identity", "Lambda", "Embedding",
      "ActivityRegularization", "GaussianNoise", "GaussianDropout",
      // pending merge: merging layers
      "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
      // pending merge: preprocessing and normalization layers
      "Rescaling", "Normalization", "UnitNormalization",
      // pooling, padding, cropping, upsampling and spatial dropout layers
      "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
      "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
      "GlobalAveragePooling2D", "GlobalAveragePooling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
      "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "SpatialDropout1D",
      "SpatialDropout2D", "SpatialDropout3D",
      // issue 6: normalization layers
      "BatchNormalization", "LayerNormalization", "GroupNormalization",
      // convolutional layers
      "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D",
      "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
  };
  return names;
}

// A user layer: y = x * scale, with one trainable scalar initialised to `factor`.
class Scale final : public Layer {
 public:
  explicit Scale(double factor = 1.0, LayerOptions options = {}) : Layer("Scale", options), factor_(factor) {}
  void build(const Shape& /*input_shape*/) override {
    add_weight(scale_, {.shape = Shape{}, .initializer = initializers::Constant({factor_})});
  }
  using Layer::call;
  Tensor call(const Tensor& x, bool /*training*/) override { return x * scale_; }
  Config get_config() const override {
    Config config = Layer::get_config();
    config["factor"] = factor_;
    return config;
  }
  static std::shared_ptr<Layer> from_config(const Config& config) {
    return std::make_shared<Scale>(config.at("factor").get<double>(), base_options(config));
  }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Scale>(*this); }

 private:
  double factor_;
  Variable scale_ = declare_weight("scale");
};

[[maybe_unused]] const bool scale_registered = register_layer("my_layers>Scale", &Scale::from_config);

}  // namespace

TEST_SUITE("layers") {

TEST_CASE("Every built-in layer is registered under its Keras class name") {
  const std::vector<std::string> registered = registered_layers();
  const std::set<std::string> have(registered.begin(), registered.end());
  for (const std::string& name : expected_builtin_layers()) {
    INFO("layer class " << name);
    CHECK(have.count(name) == 1);
  }
  CHECK(std::is_sorted(registered.begin(), registered.end()));
}

TEST_CASE("Every registered built-in layer is in the expected list") {
  // User layers register as "package>Name"; everything else is a built-in and must be listed above.
  const auto& expected = expected_builtin_layers();
  for (const std::string& name : registered_layers()) {
    if (name.find('>') != std::string::npos) continue;
    INFO("registered built-in " << name);
    CHECK(std::find(expected.begin(), expected.end(), name) != expected.end());
  }
}

TEST_CASE("A user layer registered as package>Name round-trips through serialize_layer and deserialize_layer") {
  Scale layer(2.5, {.name = "my_scale"});
  Tensor x = ops::ones({2, 3});
  check_allclose(layer(x), ops::full({2, 3}, 2.5));

  const Config object = serialize_layer(layer);
  CHECK(object["module"] == "my_layers");
  CHECK(object["class_name"] == "Scale");
  CHECK(object["registered_name"] == "my_layers>Scale");
  CHECK(object["config"]["name"] == "my_scale");
  CHECK(object["config"]["factor"] == 2.5);
  CHECK(object["build_config"]["input_shape"].dump() == "[2,3]");

  std::shared_ptr<Layer> copy = deserialize_layer(object);
  REQUIRE(copy->class_name() == "Scale");
  CHECK(copy->name() == "my_scale");
  CHECK(copy->built());
  REQUIRE(copy->weights().size() == 1);
  copy->set_weights({ops::full({}, -1.0)});
  check_allclose((*copy)(x), ops::full({2, 3}, -1.0));
  CHECK(serialize_layer(*copy)["config"].dump() == object["config"].dump());
}

TEST_CASE("A user layer loads inside a functional model's config") {
  KerasTensor x = Input({3}, {.name = "scale_in"});
  Model model(x, Scale(3.0, {.name = "scale_layer"})(x), {.name = "with_scale"});
  auto copy = std::static_pointer_cast<Model>(Model::from_config(model.get_config()));
  CHECK(copy->get_layer("scale_layer")->class_name() == "Scale");
  check_allclose((*copy)(ops::ones({1, 3})), ops::full({1, 3}, 3.0));
}

TEST_CASE("Built-in layers serialise with Keras's module and a null registered_name") {
  layers::Dense dense(2, {.name = "plain_dense"});
  const Config object = serialize_layer(dense);
  CHECK(object["module"] == "keras.layers");
  CHECK(object["class_name"] == "Dense");
  CHECK(object["registered_name"].is_null());
  CHECK_FALSE(object.contains("build_config"));
}

TEST_CASE("An unknown layer class is an error that names it and how to register it") {
  const Config object = Config::parse(R"({"module": "somewhere", "class_name": "Mystery",
                                          "config": {"name": "m"}, "registered_name": "somewhere>Mystery"})");
  CHECK_THROWS_WITH_AS(deserialize_layer(object), doctest::Contains("Unknown layer: 'somewhere>Mystery'"), ValueError);
  CHECK_THROWS_WITH_AS(deserialize_layer(object), doctest::Contains("register_layer"), ValueError);
  CHECK_THROWS_WITH_AS(deserialize_layer(Config::parse("[1, 2]")), doctest::Contains("class_name"), ValueError);
}

}  // TEST_SUITE
