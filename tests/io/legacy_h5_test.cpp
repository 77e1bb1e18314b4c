#include <keras/io/keras_archive.h>
#include <keras/io/legacy_h5.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/files.h"
#include "support/gradient_check.h"

#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

using namespace keras;
using keras::testing::keras_fixture;
using keras::testing::read_bytes;
using keras::testing::read_json;
using keras::testing::tensor_from_json;
using keras::testing::TempDir;
using nlohmann::json;

namespace {

json expected_keras() { return read_json(keras_fixture("mlp.expected.json")); }

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

// std::cerr's text while it lives.
struct CaptureCerr {
  std::ostringstream text;
  std::streambuf* saved = std::cerr.rdbuf(text.rdbuf());
  ~CaptureCerr() { std::cerr.rdbuf(saved); }
  std::string str() const { return text.str(); }
};

Sequential small_model() {
  utils::set_random_seed(5);
  return Sequential({Input({3}), layers::Dense(4, {.activation = "relu", .name = "hidden"}), layers::Dense(2, {.name = "out"})},
                    {.name = "small"});
}

// A legacy file of small_model() with `training_config` (unless empty) and what `optimizer` adds.
void write_training_file(const std::string& path, const std::string& training_config,
                         const std::function<void(io::H5File&)>& optimizer = {}) {
  io::H5File file = io::H5File::create(path);
  Sequential model = small_model();
  file.write_string_attribute("model_config", io::json_dumps(io::legacy_model_config(model)));
  if (!training_config.empty()) file.write_string_attribute("training_config", training_config);
  io::H5Group weights = file.create_group("model_weights");
  io::write_legacy_weights(weights, model);
  if (optimizer) optimizer(file);
  file.close();
}

const char* kAdamTraining = R"({"loss": "mse", "loss_weights": null, "metrics": ["mae"], "weighted_metrics": null,
  "optimizer_config": {"class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.01}}})";

// Adam's variables for small_model(), as Keras 3 lists them.
void write_adam_weights(io::H5File& file, const std::vector<Shape>& shapes) {
  io::H5Group group = file.create_group("optimizer_weights");
  std::vector<std::string> names = {"adam/iteration", "adam/learning_rate"};
  group.create_dataset(names[0], Tensor::scalar(int64_t{7}));
  group.create_dataset(names[1], Tensor::scalar(0.01f));
  for (size_t i = 0; i < shapes.size(); ++i) {
    names.push_back("adam/slot_" + std::to_string(i));
    group.create_dataset(names.back(), ops::full(shapes[i], 0.5));
  }
  group.write_string_list_attribute("weight_names", names);
}

const std::vector<Shape> kSmallSlots = {{3, 4}, {3, 4}, {4}, {4}, {4, 2}, {4, 2}, {2}, {2}};

}  // namespace

TEST_SUITE("io") {

TEST_CASE("mlp.h5 written by Keras 3.16 loads and predicts what Keras predicted") {
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.h5"));
  CHECK(model->name() == "mlp");
  const json e = expected_keras();
  const json& mlp = e["mlp"];
  const Tensor x = tensor_from_json(mlp["inputs"]["values"][0], mlp["inputs"]["shapes"][0]);
  const Tensor want = tensor_from_json(mlp["outputs"]["values"][0], mlp["outputs"]["shapes"][0]);
  keras::testing::check_allclose(model->predict(x), want, e["tolerance"]["rtol"].get<double>(),
                                 e["tolerance"]["atol"].get<double>());
  // The same weights as the .keras file of the same model.
  std::shared_ptr<Model> other = load_model(keras_fixture("mlp.keras"));
  const Tensors a = model->get_weights(), b = other->get_weights();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(std::memcmp(a[i].data(), b[i].data(), a[i].nbytes()) == 0);
}

TEST_CASE("mlp.h5 written by Keras 3.16 compiles from training_config and restores optimizer_weights") {
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.h5"));
  REQUIRE(model->compiled());
  optimizers::Optimizer& opt = model->optimizer();
  CHECK(opt.class_name() == "Adam");
  CHECK(opt.name() == "adam");
  CHECK(opt.iterations() == 2);
  CHECK(opt.learning_rate() == doctest::Approx(0.001));
  const Config cc = model->get_compile_config();
  CHECK(cc["loss"] == "categorical_crossentropy");
  CHECK(cc["metrics"] == Config::array({"accuracy"}));
  // Every dataset weight_names lists, by its sum, assigned in that order.
  const json keras = expected_keras()["mlp"]["layout"]["mlp.h5"]["h5"]["entries"];
  std::map<std::string, json> by_path;
  json names;
  for (const json& entry : keras) {
    by_path[entry["path"].get<std::string>()] = entry;
    if (entry["path"] == "optimizer_weights") names = entry["attrs"]["weight_names"]["value"];
  }
  const std::vector<Variable> vars = opt.variables();
  REQUIRE(names.size() == 10);
  REQUIRE(vars.size() == names.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    const json& entry = by_path.at("optimizer_weights/" + names[i].get<std::string>());
    INFO(entry["path"]);
    CHECK(vars[i].shape() == Shape(entry["shape"].get<std::vector<int64_t>>()));
    double sum = 0.0;
    for (double v : vars[i].value().astype(DType::float64).to_vector<double>()) sum += v;
    CHECK(sum == doctest::Approx(entry["sum"].get<double>()).epsilon(1e-6).scale(1e-6));
  }
  // The same state as the .keras file of the same model.
  const std::vector<Variable> other = load_model(keras_fixture("mlp.keras"))->optimizer().variables();
  REQUIRE(other.size() == vars.size());
  for (size_t i = 0; i < vars.size(); ++i) keras::testing::check_allclose(vars[i].value(), other[i].value(), 0, 0);
}

TEST_CASE("mlp.h5 saved back has Keras's attributes, string types, configs, weights and optimizer layout") {
  const json e = expected_keras();
  const json& keras = e["mlp"]["layout"]["mlp.h5"]["h5"];
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.h5"));
  TempDir dir;
  model->save(dir / "again.h5");
  const io::H5File file = io::H5File::open(dir / "again.h5");
  const json root = keras::testing::attributes_layout(file);
  for (const char* name : {"backend", "keras_version", "model_config", "training_config"}) {
    INFO(std::string(name));
    REQUIRE(root.contains(name));
    CHECK(root[name]["dtype"] == keras["root_attrs"][name]["dtype"]);
    CHECK(root[name]["shape"] == keras["root_attrs"][name]["shape"]);
    CHECK(root[name]["h5_string"] == keras["root_attrs"][name]["h5_string"]);
  }
  CHECK(json::parse(root["model_config"]["value"].get<std::string>()) == keras["root_attrs"]["model_config"]["parsed"]);
  CHECK(json::parse(root["training_config"]["value"].get<std::string>()) ==
        keras["root_attrs"]["training_config"]["parsed"]);
  keras::testing::check_h5_layout(keras::testing::h5_layout(file), keras["entries"], true);
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
  const Tensor x = tensor_from_json(want["x"], json::array({5, 3}));
  const Tensor y = tensor_from_json(want["y"], json::array({5, 2}));
  std::shared_ptr<Model> model = load_model(keras_fixture("keras2_style.h5"));
  CHECK(model->layers().size() == 3);
  CHECK(model->layers()[1]->class_name() == "Rescaling");
  keras::testing::check_allclose(model->predict(x), y, 1e-5, 1e-5);
  Sequential fresh({Input({3}), layers::Dense(4, {.activation = "relu"}), layers::Rescaling(0.5), layers::Dense(2)});
  fresh.load_weights(keras_fixture("keras2_style.h5"));
  keras::testing::check_allclose(fresh.predict(x), y, 1e-5, 1e-5);
}

TEST_CASE("An uncompiled model's .h5 has no training_config; a compiled one's has both, named as Keras names them") {
  TempDir dir;
  Sequential model = small_model();
  model.save(dir / "plain.h5");
  {
    const io::H5File file = io::H5File::open(dir / "plain.h5");
    CHECK_FALSE(file.has_attribute("training_config"));
    CHECK_FALSE(file.has_group("optimizer_weights"));
  }
  CHECK_FALSE(load_model(dir / "plain.h5")->compiled());

  // Compiled but never trained: Keras's optimizer already holds iteration and learning_rate.
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.05, .momentum = 0.9}), .loss = "mse"});
  model.save(dir / "compiled.h5");
  const Tensor x = random::normal({6, 3}, {.seed = 1}), y = random::normal({6, 2}, {.seed = 2});
  model.fit(x, y, {.batch_size = 3, .epochs = 1, .verbose = 0, .shuffle = false});
  model.save(dir / "trained.h5");
  {
    const io::H5File file = io::H5File::open(dir / "compiled.h5");
    const Config training = Config::parse(file.read_string_attribute("training_config"));
    CHECK(training["loss"] == "mse");
    CHECK(training["optimizer_config"]["class_name"] == "SGD");
    CHECK(training["optimizer_config"]["config"]["momentum"] == 0.9);
    CHECK_FALSE(training.contains("optimizer"));
    CHECK(training.contains("steps_per_execution"));
  }
  const io::H5File file = io::H5File::open(dir / "trained.h5");
  REQUIRE(file.has_group("optimizer_weights"));
  CHECK(file.group("optimizer_weights").read_string_list_attribute("weight_names") ==
        std::vector<std::string>{"SGD/iteration", "SGD/learning_rate", "SGD/small_hidden_kernel_momentum",
                                 "SGD/small_hidden_bias_momentum", "SGD/small_out_kernel_momentum",
                                 "SGD/small_out_bias_momentum"});
  CHECK(file.dataset("optimizer_weights/SGD/iteration").read().item<int64_t>() == 2);
  std::shared_ptr<Model> back = load_model(dir / "trained.h5");
  REQUIRE(back->compiled());
  CHECK(back->optimizer().iterations() == 2);
  CHECK(back->optimizer().learning_rate() == doctest::Approx(0.05));
  const std::vector<Variable> want = model.optimizer().variables(), got = back->optimizer().variables();
  REQUIRE(want.size() == got.size());
  for (size_t i = 0; i < want.size(); ++i) keras::testing::check_allclose(got[i].value(), want[i].value(), 0, 0);
  // A Functional model's variables have no model scope.
  KerasTensor in = Input({3});
  Model functional(in, layers::Dense(1, {.name = "d"})(in));
  functional.compile({.optimizer = "adam", .loss = "mse"});
  functional.fit(x, random::normal({6, 1}, {.seed = 3}), {.batch_size = 6, .epochs = 1, .verbose = 0});
  functional.save(dir / "functional.h5");
  CHECK(io::H5File::open(dir / "functional.h5").group("optimizer_weights").read_string_list_attribute("weight_names") ==
        std::vector<std::string>{"adam/iteration", "adam/learning_rate", "adam/d_kernel_momentum", "adam/d_kernel_velocity",
                                 "adam/d_bias_momentum", "adam/d_bias_velocity"});
}

TEST_CASE("A legacy file's optimizer_weights are assigned in weight_names order, whatever their names") {
  TempDir dir;
  write_training_file(dir / "m.h5", kAdamTraining, [](io::H5File& f) { write_adam_weights(f, kSmallSlots); });
  std::shared_ptr<Model> model = load_model(dir / "m.h5");
  REQUIRE(model->compiled());
  CHECK(model->optimizer().iterations() == 7);
  CHECK(model->optimizer().learning_rate() == doctest::Approx(0.01));
  const std::vector<Variable> vars = model->optimizer().variables();
  REQUIRE(vars.size() == 10);
  CHECK(vars[9].value().to_vector<float>() == std::vector<float>{0.5f, 0.5f});
  CHECK(model->get_compile_config()["metrics"] == Config::array({"mae"}));
  // Saved before the optimizer was built (iteration and learning_rate only): those are restored.
  write_training_file(dir / "unbuilt.h5", kAdamTraining, [](io::H5File& f) { write_adam_weights(f, {}); });
  CHECK(load_model(dir / "unbuilt.h5")->optimizer().iterations() == 7);
}

TEST_CASE("Optimizer state that does not fit is skipped with Keras's warning; the model still loads") {
  TempDir dir;
  const Tensors want = small_model().get_weights();
  std::vector<Shape> wrong = kSmallSlots;
  wrong[3] = Shape{5};
  write_training_file(dir / "shape.h5", kAdamTraining, [&](io::H5File& f) { write_adam_weights(f, wrong); });
  std::vector<Shape> more = kSmallSlots;
  more.push_back(Shape{2});
  write_training_file(dir / "count.h5", kAdamTraining, [&](io::H5File& f) { write_adam_weights(f, more); });
  for (const char* name : {"shape.h5", "count.h5"}) {
    INFO(name);
    CaptureCerr err;
    std::shared_ptr<Model> model = load_model(dir / name);
    CHECK(err.str().find("Error in loading the saved optimizer state") != std::string::npos);
    CHECK(err.str().find(name) != std::string::npos);
    REQUIRE(model->compiled());
    CHECK(model->optimizer().iterations() == 0);  // nothing assigned, not even the first values
    const Tensors got = model->get_weights();
    for (size_t i = 0; i < want.size(); ++i) keras::testing::check_allclose(got[i], want[i], 0, 0);
  }
  CaptureCerr err;
  CHECK(load_model(dir / "shape.h5")->optimizer().iterations() == 0);
  CHECK(err.str().find("has shape (4,) not compatible with provided weight shape (5,)") != std::string::npos);
}

TEST_CASE("Hostile training_config and optimizer_weights are ValueErrors naming the file") {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"loss\": ", "training_config' is not valid JSON"},
      {"[1, 2]", "training_config is not a dict"},
      {R"({"loss": "mse"})", "it has no optimizer_config"},
      {R"({"loss": 3, "optimizer_config": {"class_name": "Adam", "config": {}}})", "loss must be a name, a list or a dict"},
      {R"({"metrics": "mae", "optimizer_config": {"class_name": "Adam", "config": {}}})", "metrics must be a list or a dict"},
      {R"({"optimizer_config": "adam"})", "optimizer_config must be a dict with a string class_name"},
      {R"({"optimizer_config": {"class_name": "Adam", "config": [1]}})", "optimizer_config's config must be a dict"},
      {R"({"optimizer_config": {"class_name": "Adagrad2", "config": {}}})", "Could not interpret optimizer identifier"},
      {R"({"optimizer_config": {"class_name": "Adam", "config": {"beta_1": "x"}}})", "must be a number"},
      {R"({"loss": "mse", "loss_weights": ["a"], "optimizer_config": {"class_name": "Adam", "config": {}}})", "malformed"},
      {R"({"loss": "no_such_loss", "optimizer_config": {"class_name": "Adam", "config": {}}})", "no_such_loss"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string path = dir / ("bad" + std::to_string(i) + ".h5");
    INFO(cases[i].first);
    write_training_file(path, cases[i].first);
    const std::string file = "bad" + std::to_string(i) + ".h5";
    CHECK_THROWS_WITH_AS(load_model(path), doctest::Contains(cases[i].second.c_str()), ValueError);
    CHECK_THROWS_WITH_AS(load_model(path), doctest::Contains(file.c_str()), ValueError);
    CHECK_FALSE(load_model(path, {.compile = false})->compiled());  // Keras's compile=False reads none of it
  }
  write_training_file(dir / "dangling.h5", kAdamTraining, [](io::H5File& f) {
    f.create_group("optimizer_weights").write_string_list_attribute("weight_names", {"adam/iteration"});
  });
  CHECK_THROWS_WITH_AS(load_model(dir / "dangling.h5"), doctest::Contains("dangling.h5"), ValueError);
  CHECK_THROWS_WITH_AS(load_model(dir / "dangling.h5"), doctest::Contains("lists 'adam/iteration', but"), ValueError);
  write_training_file(dir / "not_group.h5", kAdamTraining,
                      [](io::H5File& f) { f.create_dataset("optimizer_weights", Tensor::scalar(1.0f)); });
  CHECK_THROWS_WITH_AS(load_model(dir / "not_group.h5"), doctest::Contains("optimizer_weights is a dataset"), ValueError);
}

TEST_CASE("Keras 2 training_configs compile: plain and Custom> class names, lr, decay, reduction auto, wrapped metrics") {
  const Config k2 = Config::parse(R"({"loss": {"class_name": "MeanSquaredError", "config": {"reduction": "auto",
    "name": "mean_squared_error"}}, "metrics": [[{"class_name": "MeanMetricWrapper", "config": {"name": "accuracy",
    "dtype": "float32", "fn": "categorical_accuracy"}}, {"class_name": "MeanMetricWrapper", "config": {"name": "mae",
    "dtype": "float32", "fn": "mean_absolute_error"}}]], "weighted_metrics": null, "loss_weights": null,
    "optimizer_config": {"class_name": "Custom>Adam", "config": {"name": "Adam", "learning_rate": 0.002, "decay": 0.0,
    "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false, "is_legacy_optimizer": false,
    "jit_compile": true}}})");
  const Config cc = io::compile_config_from_training_config(k2, "k2.h5");
  CHECK(cc["optimizer"]["class_name"] == "Adam");
  CHECK_FALSE(cc["optimizer"]["config"].contains("decay"));
  CHECK(cc["loss"]["config"]["reduction"] == "sum_over_batch_size");
  CHECK(cc["metrics"] == Config::array({"accuracy", "mean_absolute_error"}));
  Sequential model = small_model();
  model.compile_from_config(cc);
  CHECK(model.optimizer().learning_rate() == doctest::Approx(0.002));
  const Logs logs = model.evaluate(random::normal({4, 3}, {.seed = 1}), random::normal({4, 2}, {.seed = 2}), {.verbose = 0});
  CHECK(logs.count("accuracy") == 1);
  CHECK(logs.count("mean_absolute_error") == 1);

  // Keras 2.2: `lr`, and a nonzero decay, which Keras 3 ignores with a warning.
  TempDir dir;
  write_training_file(dir / "old.h5", R"({"loss": "mse", "metrics": ["mae"], "loss_weights": null,
    "optimizer_config": {"class_name": "SGD", "config": {"lr": 0.03, "momentum": 0.0, "decay": 0.1, "nesterov": false}}})",
                      [](io::H5File& f) {
                        // tf.keras's names and its layout (iter, then one slot per variable): shapes disagree.
                        io::H5Group g = f.create_group("optimizer_weights");
                        g.create_dataset("SGD/iter:0", Tensor::scalar(int64_t{4}));
                        g.create_dataset("SGD/hidden/kernel/momentum:0", ops::zeros({3, 4}));
                        g.write_string_list_attribute("weight_names", {"SGD/iter:0", "SGD/hidden/kernel/momentum:0"});
                      });
  CaptureCerr err;
  std::shared_ptr<Model> old = load_model(dir / "old.h5");
  CHECK(err.str().find("`decay` is no longer supported") != std::string::npos);
  CHECK(err.str().find("Error in loading the saved optimizer state") != std::string::npos);
  REQUIRE(old->compiled());
  CHECK(old->optimizer().class_name() == "SGD");
  CHECK(old->optimizer().learning_rate() == doctest::Approx(0.03));
  CHECK(old->optimizer().iterations() == 0);
}

TEST_CASE("A truncated legacy file is an error naming it, at every cut, never a crash") {
  TempDir dir;
  const std::vector<uint8_t> bytes = read_bytes(keras_fixture("mlp.h5"));
  const std::string path = dir / "cut.h5";
  size_t refused = 0;
  for (size_t cut = 0; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 97)) {
    INFO("cut at " << cut);
    keras::testing::write_bytes(path, std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)));
    try {
      (void)load_model(path);
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("cut.h5") != std::string::npos);
      ++refused;
    }
  }
  CHECK(refused > 90);
}

TEST_CASE("A schedule, EMA averages and gradient accumulators survive a legacy file under Keras's names") {
  TempDir dir;
  Sequential model = small_model();
  model.compile({.optimizer = optimizers::Adam({.learning_rate = optimizers::schedules::ExponentialDecay(0.1, 1, 0.5),
                                                .use_ema = true,
                                                .gradient_accumulation_steps = 2}),
                 .loss = "mse"});
  const Tensor x = random::normal({6, 3}, {.seed = 1}), y = random::normal({6, 2}, {.seed = 2});
  model.fit(x, y, {.batch_size = 2, .epochs = 1, .verbose = 0, .shuffle = false});
  model.save(dir / "m.h5");
  const std::vector<std::string> names =
      io::H5File::open(dir / "m.h5").group("optimizer_weights").read_string_list_attribute("weight_names");
  REQUIRE(names.size() == 1 + 4 + 4 + 8);  // no learning_rate variable with a schedule
  CHECK(names[0] == "adam/iteration");
  CHECK(names[1] == "adam/small_hidden_kernel_average");
  CHECK(names[5] == "adam/small_hidden_kernel_gradient_accumulator");
  CHECK(names[9] == "adam/small_hidden_kernel_momentum");
  std::shared_ptr<Model> back = load_model(dir / "m.h5");
  CHECK(back->optimizer().iterations() == model.optimizer().iterations());
  CHECK(back->optimizer().learning_rate() == doctest::Approx(model.optimizer().learning_rate()));
  const std::vector<Variable> want = model.optimizer().variables(), got = back->optimizer().variables();
  REQUIRE(want.size() == got.size());
  for (size_t i = 0; i < want.size(); ++i) keras::testing::check_allclose(got[i].value(), want[i].value(), 0, 0);
}

}  // TEST_SUITE
