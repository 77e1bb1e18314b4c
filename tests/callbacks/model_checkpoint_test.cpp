#include <keras/keras.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace keras;
namespace fs = std::filesystem;

namespace {

std::string checkpoint_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("keras_ckpt_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir.string();
}

std::set<std::string> files_in(const std::string& dir) {
  std::set<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

Sequential make_model() {
  utils::set_random_seed(7);
  Sequential model({Input({1}), layers::Dense(3, {.activation = "tanh"}), layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  return model;
}

std::pair<Tensor, Tensor> checkpoint_data() {
  Tensor x = random::uniform({16, 1}, {.minval = -1.0, .maxval = 1.0, .seed = 3});
  return {x, x * 2.f - 1.f};
}

}  // namespace

TEST_SUITE("training") {
  TEST_CASE("ModelCheckpoint's path formatting follows Python's str.format") {
    using callbacks::detail::format_path;
    const Logs logs = {{"val_loss", 0.123456}, {"loss", 2.5}};
    CHECK(format_path("ckpt-{epoch:02d}-{val_loss:.2f}.keras", {{"epoch", 3}}, logs) == "ckpt-03-0.12.keras");
    CHECK(format_path("{epoch}_{loss}.keras", {{"epoch", 12}}, logs) == "12_2.5.keras");
    CHECK(format_path("{epoch:3d}|{epoch:03d}|{loss:.1e}|{{x}}", {{"epoch", 7}}, logs) == "  7|007|2.5e+00|{x}");
    CHECK(format_path("{epoch:.1f}", {{"epoch", 7}}, logs) == "7.0");
    CHECK_THROWS_WITH_AS(format_path("{epoch}-{acc:.2f}.keras", {{"epoch", 1}}, logs),
                         doctest::Contains("Failed to format this callback filepath: \"{epoch}-{acc:.2f}.keras\". "
                                           "Reason: 'acc'"),
                         ValueError);
    CHECK_THROWS_WITH_AS(format_path("{loss:d}", {}, logs),
                         doctest::Contains("Unknown format code 'd' for object of type 'float'"), ValueError);
  }

  TEST_CASE("ModelCheckpoint checks the path's suffix as Keras does") {
    CHECK_THROWS_WITH_AS(callbacks::ModelCheckpoint("m.h5", {.save_weights_only = true}),
                         doctest::Contains("the filepath provided must end in `.weights.h5`"), ValueError);
    CHECK_THROWS_WITH_AS(callbacks::ModelCheckpoint("m.weights"),
                         doctest::Contains("The filepath provided must end in `.keras`"), ValueError);
    CHECK_NOTHROW(callbacks::ModelCheckpoint("m.h5"));
    CHECK_NOTHROW(callbacks::ModelCheckpoint("m.weights.h5"));
  }

  TEST_CASE("ModelCheckpoint writes one file per epoch named by the epoch and the logs") {
    const std::string dir = checkpoint_dir("per_epoch");
    Sequential model = make_model();
    auto [x, y] = checkpoint_data();
    callbacks::ModelCheckpoint ckpt(dir + "/ckpt-{epoch:02d}-{loss:.3f}.keras", {.monitor = "loss"});
    History h = model.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = {ckpt}, .shuffle = false});
    std::set<std::string> expected;
    char name[64];
    for (int e = 0; e < 3; ++e) {
      std::snprintf(name, sizeof name, "ckpt-%02d-%.3f.keras", e + 1, h["loss"][e]);
      expected.insert(name);
    }
    CHECK(files_in(dir) == expected);
    // The last checkpoint is the trained model.
    std::snprintf(name, sizeof name, "/ckpt-03-%.3f.keras", h["loss"][2]);
    auto loaded = load_model(dir + name);
    CHECK(loaded->predict(x, {.verbose = 0}).to_vector<float>() == model.predict(x, {.verbose = 0}).to_vector<float>());
    fs::remove_all(dir);
  }

  TEST_CASE("ModelCheckpoint with save_best_only saves only the epochs that improve") {
    const std::string dir = checkpoint_dir("best");
    Sequential model = make_model();
    auto [x, y] = checkpoint_data();
    // Reported values are chosen by a callback that runs first, so the improvements are known.
    const std::vector<double> values = {0.5, 0.7, 0.4, 0.4, 0.1};
    callbacks::LambdaCallback fake({.on_epoch_end = [values](int epoch, Logs& logs) { logs["score"] = values[epoch]; }});
    callbacks::ModelCheckpoint ckpt(dir + "/m-{epoch}.weights.h5",
                                    {.monitor = "score", .save_best_only = true, .save_weights_only = true, .mode = "min"});
    model.fit(x, y, {.batch_size = 8, .epochs = 5, .verbose = 0, .callbacks = {fake, ckpt}, .shuffle = false});
    CHECK(files_in(dir) == std::set<std::string>{"m-1.weights.h5", "m-3.weights.h5", "m-5.weights.h5"});
    REQUIRE(ckpt.best());
    CHECK(*ckpt.best() == doctest::Approx(0.1));
    fs::remove_all(dir);
  }

  TEST_CASE("ModelCheckpoint's initial_value_threshold must be beaten before the first save") {
    const std::string dir = checkpoint_dir("threshold");
    Sequential model = make_model();
    auto [x, y] = checkpoint_data();
    const std::vector<double> values = {0.5, 0.7, 0.9};
    callbacks::LambdaCallback fake({.on_epoch_end = [values](int epoch, Logs& logs) { logs["score"] = values[epoch]; }});
    callbacks::ModelCheckpoint ckpt(dir + "/m-{epoch}.keras", {.monitor = "score", .save_best_only = true,
                                                                .mode = "max", .initial_value_threshold = 0.6});
    model.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = {fake, ckpt}, .shuffle = false});
    CHECK(files_in(dir) == std::set<std::string>{"m-2.keras", "m-3.keras"});
    fs::remove_all(dir);
  }

  TEST_CASE("ModelCheckpoint's weights-only files load back and give the same predictions") {
    const std::string dir = checkpoint_dir("weights");
    Sequential model = make_model();
    auto [x, y] = checkpoint_data();
    callbacks::ModelCheckpoint ckpt(dir + "/w.weights.h5", {.save_weights_only = true});
    model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .callbacks = {ckpt}, .shuffle = false});
    CHECK(files_in(dir) == std::set<std::string>{"w.weights.h5"});
    utils::set_random_seed(99);
    Sequential other({Input({1}), layers::Dense(3, {.activation = "tanh"}), layers::Dense(1)});
    CHECK(other.predict(x, {.verbose = 0}).to_vector<float>() != model.predict(x, {.verbose = 0}).to_vector<float>());
    other.load_weights(dir + "/w.weights.h5");
    CHECK(other.predict(x, {.verbose = 0}).to_vector<float>() == model.predict(x, {.verbose = 0}).to_vector<float>());
    fs::remove_all(dir);
  }

  TEST_CASE("ModelCheckpoint with an integer save_freq saves every that many batches") {
    const std::string dir = checkpoint_dir("batches");
    Sequential model = make_model();
    auto [x, y] = checkpoint_data();  // 16 samples in batches of 4: 4 batches an epoch
    callbacks::ModelCheckpoint ckpt(dir + "/m-{epoch}-{batch}.weights.h5", {.save_weights_only = true, .save_freq = 3});
    model.fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0, .callbacks = {ckpt}, .shuffle = false});
    CHECK(files_in(dir) == std::set<std::string>{"m-1-3.weights.h5", "m-2-2.weights.h5"});
    fs::remove_all(dir);
  }

  TEST_CASE("ModelCheckpoint prints Keras's messages when verbose") {
    const std::string dir = checkpoint_dir("verbose");
    Sequential model = make_model();
    auto [x, y] = checkpoint_data();
    const std::vector<double> values = {0.5, 0.7};
    callbacks::LambdaCallback fake({.on_epoch_end = [values](int epoch, Logs& logs) { logs["score"] = values[epoch]; }});
    const std::string path = dir + "/m.keras";
    callbacks::ModelCheckpoint ckpt(path, {.monitor = "score", .verbose = 1, .save_best_only = true, .mode = "min"});
    std::ostringstream out;
    auto* old = std::cout.rdbuf(out.rdbuf());
    model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .callbacks = {fake, ckpt}, .shuffle = false});
    std::cout.rdbuf(old);
    CHECK(out.str() == "\nEpoch 1: score improved from inf to 0.50000, saving model to " + path +
                           "\n\nEpoch 1: finished saving model to " + path +
                           "\n\nEpoch 2: score did not improve from 0.50000\n");
    fs::remove_all(dir);
  }
}
