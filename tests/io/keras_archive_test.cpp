#include <keras/io/keras_archive.h>
#include <keras/io/keras_h5_weights.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/files.h"
#include "support/gradient_check.h"

#include <sys/resource.h>

#include <csignal>
#include <cstring>
#include <functional>
#include <set>

using namespace keras;
using keras::testing::keras_fixture;
using keras::testing::read_bytes;
using keras::testing::read_json;
using keras::testing::tensor_from_json;
using keras::testing::TempDir;
using keras::testing::to_bytes;
using keras::testing::write_bytes;
using nlohmann::json;

namespace {

json expected() { return read_json(keras_fixture("mlp.expected.json")); }

// The fixture's batch through `model`, against what Keras predicted, within its tolerance.
void check_predictions(Model& model) {
  const json e = expected();
  const json& mlp = e["mlp"];
  const Tensor x = tensor_from_json(mlp["inputs"]["values"][0], mlp["inputs"]["shapes"][0]);
  const Tensor want = tensor_from_json(mlp["outputs"]["values"][0], mlp["outputs"]["shapes"][0]);
  keras::testing::check_allclose(model.predict(x), want, e["tolerance"]["rtol"].get<double>(),
                                 e["tolerance"]["atol"].get<double>());
}

// The weights' first values and sums, as the fixture records them.
void check_weights(const Model& model) {
  const json e = expected();
  const Tensors weights = model.get_weights();
  REQUIRE(weights.size() == e["mlp"]["weights"].size());
  for (size_t i = 0; i < weights.size(); ++i) {
    const json& w = e["mlp"]["weights"][i];
    CHECK(weights[i].shape() == Shape(w["shape"].get<std::vector<int64_t>>()));
    const std::vector<float> values = weights[i].to_vector<float>();
    for (size_t k = 0; k < w["head"].size(); ++k) CHECK(values[k] == w["head"][k].get<float>());
    double sum = 0;
    for (float v : values) sum += v;
    CHECK(sum == doctest::Approx(w["sum"].get<double>()).epsilon(1e-6));
  }
}

io::H5File weights_of(const io::KerasArchive& archive) {
  return io::H5File::open_image(archive.weights_h5.data(), archive.weights_h5.size(), "model.weights.h5");
}

}  // namespace

TEST_SUITE("io") {

TEST_CASE("mlp.keras written by Keras 3.16 loads and predicts what Keras predicted") {
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.keras"));
  CHECK(model->class_name() == "Sequential");
  CHECK(model->name() == "mlp");
  CHECK(model->layers().size() == 2);
  CHECK(model->get_layer("hidden")->class_name() == "Dense");
  check_weights(*model);
  check_predictions(*model);
}

TEST_CASE("mlp.keras saved back has Keras's archive entries, config and weights layout") {
  const json e = expected();
  const json& keras = e["mlp"]["layout"]["mlp.keras"];
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.keras"));
  TempDir dir;
  model->save(dir / "again.keras");

  const std::vector<keras::testing::ZipEntry> entries = keras::testing::zip_entries(read_bytes(dir / "again.keras"));
  REQUIRE(entries.size() == keras["zip_entries"].size());
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i].name == keras["zip_entries"][i]["name"]);
    CHECK(entries[i].method == keras["zip_entries"][i]["compress_type"]);
    CHECK(entries[i].compressed_size == entries[i].size);
  }

  const io::KerasArchive archive = io::read_keras_archive(dir / "again.keras");
  CHECK(json(archive.metadata["keras_version"]) == keras["metadata"]["keras_version"]);
  CHECK(archive.metadata["date_saved"].get<std::string>().size() == keras["metadata"]["date_saved"].get<std::string>().size());
  // load_model compiled it from the fixture's compile_config, so that is written back too.
  std::set<std::string> want_keys;
  for (const json& k : keras["config_top_keys"]) want_keys.insert(k.get<std::string>());
  std::set<std::string> keys;
  for (const auto& [k, v] : archive.config.items()) keys.insert(k);
  CHECK(keys == want_keys);
  json compile_config = archive.config["compile_config"], want_compile = keras["compile_config"];
  // Keras's torch backend records its own optimizer class (module keras.src.backend.torch...,
  // registered_name "Adam"); ours is keras.optimizers' class, as the TensorFlow backend writes it.
  for (json* c : {&compile_config, &want_compile}) {
    (*c)["optimizer"].erase("module");
    (*c)["optimizer"].erase("registered_name");
  }
  CHECK(compile_config == want_compile);
  for (const auto& [k, v] : keras["config_root"].items()) CHECK(json(archive.config[k]) == v);
  CHECK(json(archive.config["build_config"]) == keras["build_config"]);
  const Config& layers = archive.config["config"]["layers"];
  REQUIRE(layers.size() == keras["layers"].size());
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& want = keras["layers"][i];
    INFO("layer " << want["name"]);
    CHECK(json(layers[i]["class_name"]) == want["class_name"]);
    CHECK(json(layers[i]["module"]) == want["module"]);
    CHECK(json(layers[i]["registered_name"]) == want["registered_name"]);
    CHECK(json(layers[i]["config"]["name"]) == want["name"]);
    std::set<std::string> k, c;
    for (const auto& [name, v] : layers[i].items()) k.insert(name);
    for (const auto& [name, v] : layers[i]["config"].items()) c.insert(name);
    CHECK(k == want["keys"].get<std::set<std::string>>());
    CHECK(c == want["config_keys"].get<std::set<std::string>>());
  }
  // config.json is Python's json.dumps text, and to_json() is the same text.
  const auto stored = std::find_if(entries.begin(), entries.end(), [](const auto& z) { return z.name == "config.json"; });
  REQUIRE(stored != entries.end());
  const std::string text(stored->data.begin(), stored->data.end());
  CHECK(text.rfind(R"({"module": "keras", "class_name": "Sequential", "config": {"name": "mlp", )", 0) == 0);
  CHECK(text == model->to_json());

  keras::testing::check_h5_layout(keras::testing::h5_layout(weights_of(archive)), keras["weights_h5"]["entries"], true);
  CHECK(weights_of(archive).attribute_names().empty());
}

TEST_CASE("A model saved as .keras loads back with identical weights and outputs") {
  Sequential model({Input({5}, {.name = "x"}), layers::Dense(7, {.activation = "tanh", .name = "h"}),
                    layers::Dense(3, {.activation = "softmax", .name = "out"})},
                   {.name = "roundtrip"});
  TempDir dir;
  save_model(model, dir / "m.keras");
  std::shared_ptr<Model> back = models::load_model(dir / "m.keras");
  const Tensors a = model.get_weights(), b = back->get_weights();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(std::memcmp(a[i].data(), b[i].data(), a[i].nbytes()) == 0);
  const Tensor x = random::normal({4, 5}, {.seed = 3});
  keras::testing::check_allclose(back->predict(x), model.predict(x), 0, 0);
  CHECK(dir.files() == std::vector<std::string>{"m.keras"});
  // Weights load from the archive too.
  Sequential other({Input({5}), layers::Dense(7), layers::Dense(3)});
  other.load_weights(dir / "m.keras");
  keras::testing::check_allclose(other.get_weights()[0], a[0], 0, 0);
}

TEST_CASE("Corrupt .keras archives are refused with errors naming the file and the problem") {
  Sequential model({Input({3}, {.name = "in"}), layers::Dense(2, {.name = "d"})}, {.name = "small"});
  TempDir dir;
  model.save(dir / "good.keras");
  const std::vector<uint8_t> good = read_bytes(dir / "good.keras");
  const auto entries = keras::testing::zip_entries(good);
  auto entry = [&](const std::string& name) {
    for (const auto& z : entries) {
      if (z.name == name) return z.data;
    }
    FAIL("no entry " << name);
    return std::vector<uint8_t>{};
  };
  const std::vector<uint8_t> config = entry("config.json"), metadata = entry("metadata.json"),
                             weights = entry("model.weights.h5");

  SUBCASE("truncated") {
    for (size_t keep : {good.size() / 2, good.size() - 30, size_t{10}, size_t{0}}) {
      INFO("kept " << keep << " bytes");
      write_bytes(dir / "cut.keras", std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(keep)));
      CHECK_THROWS_WITH_AS(load_model(dir / "cut.keras"), doctest::Contains("cut.keras"), ValueError);
    }
  }
  SUBCASE("config.json is not JSON") {
    write_bytes(dir / "bad.keras", keras::testing::make_zip({{"metadata.json", metadata},
                                                             {"config.json", to_bytes("{\"module\": \"keras\", ")},
                                                             {"model.weights.h5", weights}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("bad.keras:config.json' is not valid JSON"),
                         ValueError);
  }
  SUBCASE("config.json describes an unknown class") {
    write_bytes(dir / "bad.keras",
                keras::testing::make_zip({{"config.json", to_bytes(R"({"class_name": "Nope", "config": {}})")},
                                          {"model.weights.h5", weights}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("Unknown layer: 'Nope'"), ValueError);
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("bad.keras"), ValueError);
  }
  SUBCASE("config.json describes a layer, not a model") {
    write_bytes(dir / "bad.keras",
                keras::testing::make_zip({{"config.json", to_bytes(R"({"class_name": "Dense", "config": {"units": 2}})")},
                                          {"model.weights.h5", weights}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("not a model"), ValueError);
  }
  SUBCASE("config.json nests absurdly deep") {
    write_bytes(dir / "bad.keras", keras::testing::make_zip({{"config.json", to_bytes(std::string(100000, '['))},
                                                             {"model.weights.h5", weights}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("nests deeper"), ValueError);
  }
  SUBCASE("no weights") {
    write_bytes(dir / "bad.keras", keras::testing::make_zip({{"metadata.json", metadata}, {"config.json", config}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("it has no model.weights.h5"), ValueError);
  }
  SUBCASE("weights that are not HDF5") {
    write_bytes(dir / "bad.keras", keras::testing::make_zip({{"config.json", config},
                                                             {"model.weights.h5", to_bytes("garbage")}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("not a valid HDF5 file"), ValueError);
  }
  SUBCASE("a weight is missing") {
    std::vector<io::Saveable> saveables = io::collect_saveables(model);
    saveables[1].variables.pop_back();
    {
      io::H5File file = io::H5File::create(dir / "w.h5");
      io::write_saveables(file, saveables);
      file.close();
    }
    write_bytes(dir / "bad.keras", keras::testing::make_zip({{"config.json", config},
                                                             {"model.weights.h5", read_bytes(dir / "w.h5")}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("expected 2 variables, but received 1"),
                         ValueError);
  }
  SUBCASE("a weight has the wrong shape") {
    std::vector<io::Saveable> saveables = io::collect_saveables(model);
    saveables[1].variables[1] = Variable(ops::zeros({5}), {.name = "bias"});
    {
      io::H5File file = io::H5File::create(dir / "w.h5");
      io::write_saveables(file, saveables);
      file.close();
    }
    write_bytes(dir / "bad.keras", keras::testing::make_zip({{"config.json", config},
                                                             {"model.weights.h5", read_bytes(dir / "w.h5")}}));
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("has shape (5,), but the variable has shape (2,)"),
                         ValueError);
  }
  SUBCASE("an entry claims more bytes than the archive holds") {
    std::vector<uint8_t> lie = keras::testing::make_zip({{"config.json", config}, {"model.weights.h5", weights}});
    // Patch the central directory's uncompressed size of the weights entry.
    const auto found = keras::testing::zip_entries(lie);
    size_t at = lie.size() - 22;
    at = keras::testing::le32(lie, at + 16);  // central directory
    at += 46 + found[0].name.size();          // second record
    lie[at + 24] = 0xFF;
    lie[at + 25] = 0xFF;
    lie[at + 26] = 0xFF;
    write_bytes(dir / "bad.keras", lie);
    CHECK_THROWS_WITH_AS(load_model(dir / "bad.keras"), doctest::Contains("bad.keras"), ValueError);
  }
  SUBCASE("not a .keras or .h5 path") {
    CHECK_THROWS_WITH_AS(load_model(dir / "model.pb"), doctest::Contains("File format not supported"), ValueError);
    CHECK_THROWS_WITH_AS(model.save(dir / "model.pb"), doctest::Contains("Invalid filepath extension"), ValueError);
  }
  SUBCASE("a missing file") {
    CHECK_THROWS_WITH_AS(load_model(dir / "absent.keras"), doctest::Contains("absent.keras"), RuntimeError);
  }
}

TEST_CASE("A save that fails part-way leaves the previous file intact and no temporary files") {
  Sequential small({Input({3}), layers::Dense(2)});
  Sequential big({Input({256}), layers::Dense(256)});
  uint64_t weights_size = 0;
  {
    TempDir dir;
    big.save_weights(dir / "big.weights.h5");
    weights_size = read_bytes(dir / "big.weights.h5").size();
  }
  // "m.keras (zip)": the weights file fits, the archive holding it does not, so libzip fails.
  for (const char* label : {"m.keras", "m.keras (zip)", "m.h5", "m.weights.h5"}) {
    INFO(std::string(label));
    const std::string name = std::string(label).substr(0, std::string(label).find(' '));
    TempDir dir;
    const std::string path = dir / name;
    if (name == "m.weights.h5") {
      small.save_weights(path);
    } else {
      small.save(path);
    }
    const std::vector<uint8_t> before = read_bytes(path);
    // A full disk, simulated: files may not grow past the limit (big's kernel alone is 256 KiB).
    struct rlimit saved {};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limited = saved;
    limited.rlim_cur = std::string(label) == "m.keras (zip)" ? weights_size + 256 : 64 * 1024;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limited) == 0);
    std::string error;
    try {
      if (name == "m.weights.h5") {
        big.save_weights(path);
      } else {
        big.save(path);
      }
    } catch (const RuntimeError& e) {
      error = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, old_handler);
    CHECK(error.find(name) != std::string::npos);
    CHECK(read_bytes(path) == before);
    CHECK(dir.files() == std::vector<std::string>{name});
  }
}

TEST_CASE("json_dumps writes Python's json.dumps text") {
  const Config c = Config::parse(R"({"b": [1, 2.5, null, true], "a": {"s": "é\"x"}, "f": 1e-07, "g": 0.001})");
  CHECK(io::json_dumps(c) == R"({"b": [1, 2.5, null, true], "a": {"s": "\u00e9\"x"}, "f": 1e-07, "g": 0.001})");
  CHECK(io::json_loads(io::json_dumps(c), "text") == c);
  CHECK_THROWS_WITH_AS(io::json_loads("{\"a\": ", "source.json"), doctest::Contains("source.json"), ValueError);
}

}  // TEST_SUITE
