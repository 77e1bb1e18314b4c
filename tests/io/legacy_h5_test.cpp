#include <keras/io/legacy_h5.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/files.h"
#include "support/gradient_check.h"

#include <cstring>
#include <functional>

using namespace keras;
using keras::testing::keras_fixture;
using keras::testing::read_bytes;
using keras::testing::TempDir;
using nlohmann::json;

namespace {

json expected() {
  const auto bytes = read_bytes(keras_fixture("mlp.expected.json"));
  return json::parse(bytes.begin(), bytes.end());
}

Tensor tensor_from(const json& values, const json& shape) {
  std::vector<float> flat;
  std::function<void(const json&)> walk = [&](const json& v) {
    if (v.is_array()) {
      for (const json& x : v) walk(x);
    } else {
      flat.push_back(v.get<float>());
    }
  };
  walk(values);
  return Tensor::from_vector(flat, Shape(shape.get<std::vector<int64_t>>()));
}

const io::H5StringType kFixed{.variable_length = false, .utf8 = false};

// A Keras 2 (tf.keras, h5py 2) file: fixed-length strings, ":0" weight names, batch_input_shape on the
// first layer, a weightless layer, and one layer's weight_names split into chunks.
const char* kKeras2Config = R"({"class_name": "Sequential", "config": {"name": "sequential", "layers": [
  {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "batch_input_shape": [null, 3],
   "dtype": "float32", "units": 4, "activation": "relu", "use_bias": true,
   "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
   "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
   "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
  {"class_name": "Rescaling", "config": {"name": "rescaling", "trainable": true, "dtype": "float32", "scale": 0.5,
   "offset": 0.0}},
  {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": "float32", "units": 2,
   "activation": "linear", "use_bias": true,
   "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
   "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
   "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}]}})";

struct Keras2Weights {
  Tensor k1 = random::normal({3, 4}, {.seed = 1}), b1 = random::normal({4}, {.seed = 2});
  Tensor k2 = random::normal({4, 2}, {.seed = 3}), b2 = random::normal({2}, {.seed = 4});
};

void write_keras2_weights(io::H5Group& g, const Keras2Weights& w) {
  g.write_string_list_attribute("layer_names", {"dense", "rescaling", "dense_1"}, kFixed);
  g.write_string_attribute("backend", "tensorflow", kFixed);
  g.write_string_attribute("keras_version", "2.4.0", kFixed);
  io::H5Group dense = g.create_group("dense");
  dense.write_string_list_attribute("weight_names0", {"dense/kernel:0"}, kFixed);
  dense.write_string_list_attribute("weight_names1", {"dense/bias:0"}, kFixed);
  dense.create_dataset("dense/kernel:0", w.k1);
  dense.create_dataset("dense/bias:0", w.b1);
  g.create_group("rescaling").write_string_list_attribute("weight_names", {});
  io::H5Group dense_1 = g.create_group("dense_1");
  dense_1.write_string_list_attribute("weight_names", {"dense_1/kernel:0", "dense_1/bias:0"}, kFixed);
  dense_1.create_dataset("dense_1/kernel:0", w.k2);
  dense_1.create_dataset("dense_1/bias:0", w.b2);
}

Tensor keras2_reference(const Tensor& x, const Keras2Weights& w) {
  const Tensor h = ops::relu(ops::matmul(x, w.k1) + w.b1) * Tensor::scalar(0.5f);
  return ops::matmul(h, w.k2) + w.b2;
}

}  // namespace

TEST_SUITE("io") {

TEST_CASE("mlp.h5 written by Keras 3.16 loads and predicts what Keras predicted") {
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.h5"));
  CHECK(model->name() == "mlp");
  const json e = expected();
  const json& mlp = e["mlp"];
  const Tensor x = tensor_from(mlp["inputs"]["values"][0], mlp["inputs"]["shapes"][0]);
  const Tensor want = tensor_from(mlp["outputs"]["values"][0], mlp["outputs"]["shapes"][0]);
  keras::testing::check_allclose(model->predict(x), want, e["tolerance"]["rtol"].get<double>(),
                                 e["tolerance"]["atol"].get<double>());
  // The same weights as the .keras file of the same model.
  std::shared_ptr<Model> other = load_model(keras_fixture("mlp.keras"));
  const Tensors a = model->get_weights(), b = other->get_weights();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(std::memcmp(a[i].data(), b[i].data(), a[i].nbytes()) == 0);
}

TEST_CASE("mlp.h5 saved back has Keras's attributes, string types, model_config and weights layout") {
  const json e = expected();
  const json& keras = e["mlp"]["layout"]["mlp.h5"]["h5"];
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.h5"));
  TempDir dir;
  model->save(dir / "again.h5");
  const io::H5File file = io::H5File::open(dir / "again.h5");
  const json root = keras::testing::attributes_layout(file);
  for (const char* name : {"backend", "keras_version", "model_config"}) {
    INFO(std::string(name));
    REQUIRE(root.contains(name));
    CHECK(root[name]["dtype"] == keras["root_attrs"][name]["dtype"]);
    CHECK(root[name]["shape"] == keras["root_attrs"][name]["shape"]);
    CHECK(root[name]["h5_string"] == keras["root_attrs"][name]["h5_string"]);
  }
  CHECK_FALSE(root.contains("training_config"));  // not compiled
  CHECK(json::parse(root["model_config"]["value"].get<std::string>()) == keras["root_attrs"]["model_config"]["parsed"]);
  keras::testing::check_h5_layout(keras::testing::h5_layout(file), keras["entries"]);
  // Loads back, by name-blind order.
  std::shared_ptr<Model> back = load_model(dir / "again.h5");
  const Tensor x = random::normal({3, 8}, {.seed = 7});
  keras::testing::check_allclose(back->predict(x), model->predict(x), 0, 0);
}

TEST_CASE("A Keras 2 file with fixed-length strings, ':0' names and chunked weight_names loads") {
  TempDir dir;
  const Keras2Weights w;
  {
    io::H5File file = io::H5File::create(dir / "k2.h5");
    file.write_string_attribute("keras_version", "2.4.0", kFixed);
    file.write_string_attribute("backend", "tensorflow", kFixed);
    file.write_string_attribute("model_config", kKeras2Config, kFixed);
    io::H5Group g = file.create_group("model_weights");
    write_keras2_weights(g, w);
    file.close();
  }
  std::shared_ptr<Model> model = load_model(dir / "k2.h5");
  CHECK(model->layers().size() == 3);
  CHECK(model->inputs()[0].shape() == Shape{None, 3});
  const Tensor x = random::normal({5, 3}, {.seed = 9});
  keras::testing::check_allclose(model->predict(x), keras2_reference(x, w), 1e-6, 1e-6);

  // A weights-only Keras 2 file (layer_names at the root) loads into the same architecture.
  {
    io::H5File file = io::H5File::create(dir / "k2_weights.h5");
    write_keras2_weights(file, w);
    file.close();
  }
  Sequential fresh({Input({3}), layers::Dense(4, {.activation = "relu"}), layers::Rescaling(0.5), layers::Dense(2)});
  fresh.load_weights(dir / "k2_weights.h5");
  keras::testing::check_allclose(fresh.predict(x), keras2_reference(x, w), 1e-6, 1e-6);
  // ... and from the full model file too.
  Sequential again({Input({3}), layers::Dense(4, {.activation = "relu"}), layers::Rescaling(0.5), layers::Dense(2)});
  again.load_weights(dir / "k2.h5");
  keras::testing::check_allclose(again.predict(x), keras2_reference(x, w), 1e-6, 1e-6);
}

TEST_CASE("Legacy weights load by order and refuse mismatched counts and shapes without changing the model") {
  TempDir dir;
  const Keras2Weights w;
  {
    io::H5File file = io::H5File::create(dir / "w.h5");
    write_keras2_weights(file, w);
    file.close();
  }
  Sequential three({Input({3}), layers::Dense(4), layers::Dense(2), layers::Dense(2, {.name = "extra"})});
  CHECK_THROWS_WITH_AS(three.load_weights(dir / "w.h5"), doctest::Contains("Model expected 3 layers, found 2 saved layers"),
                       ValueError);
  Sequential wide({Input({3}), layers::Dense(4), layers::Dense(5, {.name = "wide"})});
  const Tensors before = wide.get_weights();
  CHECK_THROWS_WITH_AS(wide.load_weights(dir / "w.h5"),
                       doctest::Contains("Weight expects shape (4, 5). Received saved weight with shape (4, 2)"), ValueError);
  CHECK_THROWS_WITH_AS(wide.load_weights(dir / "w.h5"), doctest::Contains("w.h5"), ValueError);
  keras::testing::check_allclose(wide.get_weights()[0], before[0], 0, 0);  // the first layer was not assigned
  Sequential no_bias({Input({3}), layers::Dense(4), layers::Dense(2, {.use_bias = false})});
  CHECK_THROWS_WITH_AS(no_bias.load_weights(dir / "w.h5"), doctest::Contains("Layer expects 1 weight(s). Received 2"),
                       ValueError);
}

TEST_CASE("Legacy files without a model_config, or naming datasets that do not exist, are refused") {
  TempDir dir;
  {
    io::H5File file = io::H5File::create(dir / "weights_only.h5");
    write_keras2_weights(file, Keras2Weights());
    file.close();
  }
  CHECK_THROWS_WITH_AS(load_model(dir / "weights_only.h5"), doctest::Contains("No model config found"), ValueError);
  {
    io::H5File file = io::H5File::create(dir / "dangling.h5");
    file.write_string_list_attribute("layer_names", {"dense"});
    file.create_group("dense").write_string_list_attribute("weight_names", {"dense/kernel:0", "dense/bias:0"});
    file.close();
  }
  Sequential model({Input({3}), layers::Dense(4)});
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "dangling.h5"), doctest::Contains("no such dataset"), ValueError);
  {
    io::H5File file = io::H5File::create(dir / "bad_config.h5");
    file.write_string_attribute("model_config", "{\"class_name\": ");
    file.close();
  }
  CHECK_THROWS_WITH_AS(load_model(dir / "bad_config.h5"), doctest::Contains("bad_config.h5:model_config' is not valid JSON"),
                       ValueError);
}

TEST_CASE("Legacy model configs are Keras's: layer dicts without module, Keras 2 names upgraded") {
  Sequential model({Input({3}, {.name = "in"}), layers::Dense(2, {.name = "d"})}, {.name = "s"});
  const Config legacy = io::legacy_model_config(model);
  CHECK(legacy["class_name"] == "Sequential");
  CHECK(legacy["config"]["layers"][1].dump() ==
        Config{{"class_name", "Dense"}, {"config", model.get_layer("d")->get_config()}}.dump());
  CHECK_FALSE(legacy.contains("build_config"));

  const Config k2 = Config::parse(R"({"class_name": "Model", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "name": "input_1", "config": {"batch_input_shape": [null, 3], "dtype": "float32",
     "sparse": false, "name": "input_1"}, "inbound_nodes": []},
    {"class_name": "BatchNorm", "name": "bn", "config": {"name": "bn", "axis": [1]}, "inbound_nodes": [[["input_1", 0, 0, {}]]]}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["bn", 0, 0]]}})");
  const Config up = io::upgrade_legacy_model_config(k2);
  CHECK(up["class_name"] == "Functional");
  CHECK(up["config"]["layers"][1]["config"]["axis"] == 1);
  CHECK(up["config"]["layers"][0]["config"]["batch_input_shape"].dump() == "[null,3]");
}

TEST_CASE("A file in tf.keras 2's layout, written by h5py, loads and predicts what NumPy computed") {
  const auto text = read_bytes(keras_fixture("keras2_style.json"));
  const json want = json::parse(text.begin(), text.end());
  const Tensor x = tensor_from(want["x"], json::array({5, 3}));
  const Tensor y = tensor_from(want["y"], json::array({5, 2}));
  std::shared_ptr<Model> model = load_model(keras_fixture("keras2_style.h5"));
  CHECK(model->layers().size() == 3);
  CHECK(model->layers()[1]->class_name() == "Rescaling");
  keras::testing::check_allclose(model->predict(x), y, 1e-5, 1e-5);
  Sequential fresh({Input({3}), layers::Dense(4, {.activation = "relu"}), layers::Rescaling(0.5), layers::Dense(2)});
  fresh.load_weights(keras_fixture("keras2_style.h5"));
  keras::testing::check_allclose(fresh.predict(x), y, 1e-5, 1e-5);
}

}  // TEST_SUITE
