#include <keras/keras.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace keras;
namespace fs = std::filesystem;

namespace {

std::pair<Tensor, Tensor> backup_data(int64_t n) {
  Tensor x = random::uniform({n, 1}, {.minval = -1.0, .maxval = 1.0, .seed = 3});
  return {x, x * 2.f - 1.f};
}

std::string temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("keras_backup_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir.string();
}

// A small network trained with Adam, so that the optimizer's state (iterations, moments) matters.
Sequential make_model(uint64_t seed) {
  utils::set_random_seed(seed);
  Sequential model({Input({1}), layers::Dense(4, {.activation = "tanh"}), layers::Dense(1)});
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.optimizer().set_learning_rate(0.05);
  return model;
}

FitOptions fit_options(std::vector<CallbackArg> cbs, int epochs = 5) {
  return {.batch_size = 8, .epochs = epochs, .verbose = 0, .callbacks = std::move(cbs), .shuffle = false};
}

bool same(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].to_vector<float>() != b[i].to_vector<float>()) return false;
  }
  return true;
}

// Throws from on_train_batch_end at (epoch, batch), as a crash would end fit; records the epochs begun.
struct Crash {
  struct State {
    int epoch = -1;
    std::vector<int> epochs;
  };
  std::shared_ptr<State> state = std::make_shared<State>();
  callbacks::LambdaCallback at(int crash_epoch, int64_t crash_batch) const {
    auto s = state;
    return callbacks::LambdaCallback(
        {.on_epoch_begin = [s](int epoch, Logs&) {
           s->epoch = epoch;
           s->epochs.push_back(epoch);
         },
         .on_train_batch_end = [s, crash_epoch, crash_batch](int64_t batch, Logs&) {
           if (s->epoch == crash_epoch && batch == crash_batch) throw RuntimeError("simulated crash");
         }});
  }
};

std::map<std::string, Tensor> archive(const std::string& path) {
  std::map<std::string, Tensor> out;
  for (auto& [name, t] : io::load_npz(path)) out.emplace(name, t);
  return out;
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("BackupAndRestore resumes a crashed fit so that it ends exactly where an uninterrupted one does") {
  auto [x, y] = backup_data(32);
  Sequential reference = make_model(7);
  reference.fit(x, y, fit_options({}));

  const std::string dir = temp_dir("resume");
  callbacks::BackupAndRestore backup(dir);
  Sequential crashed = make_model(7);
  Crash crash;
  CHECK_THROWS_WITH_AS(crashed.fit(x, y, fit_options({backup, crash.at(2, 1)})), "simulated crash", RuntimeError);
  CHECK(crash.state->epochs == std::vector<int>{0, 1, 2});
  REQUIRE(fs::exists(fs::path(dir) / "latest.npz"));
  CHECK(archive((fs::path(dir) / "latest.npz").string()).at("epoch").item<int64_t>() == 2);

  // A fresh process would rebuild the model with other initial weights: the backup must replace them.
  Sequential resumed = make_model(99);
  CHECK_FALSE(same(resumed.get_weights(), reference.get_weights()));
  Crash record;
  History h = resumed.fit(x, y, fit_options({backup, record.at(-1, -1)}));
  CHECK(record.state->epochs == std::vector<int>{2, 3, 4});
  CHECK(h.epoch() == std::vector<int>{2, 3, 4});
  CHECK(same(resumed.get_weights(), reference.get_weights()));
  CHECK(resumed.optimizer().iterations() == reference.optimizer().iterations());
  CHECK_FALSE(fs::exists(dir));  // delete_checkpoint
}

TEST_CASE("BackupAndRestore with an integer save_freq backs up every save_freq batches") {
  auto [x, y] = backup_data(32);  // 4 batches per epoch
  const std::string dir = temp_dir("batches");
  Sequential model = make_model(3);
  auto snapshots = std::make_shared<std::map<std::pair<int, int64_t>, std::vector<Tensor>>>();
  auto epoch = std::make_shared<int>(0);
  callbacks::LambdaCallback snap({.on_epoch_begin = [epoch](int e, Logs&) { *epoch = e; },
                                  .on_train_batch_end = [&model, snapshots, epoch](int64_t batch, Logs&) {
                                    (*snapshots)[{*epoch, batch}] = model.get_weights();
                                  }});
  Crash crash;
  CHECK_THROWS_AS(
      model.fit(x, y, fit_options({snap, callbacks::BackupAndRestore(dir, {.save_freq = 3}), crash.at(2, 2)})),
      RuntimeError);
  // Saves after 3, 6, 9 batches in all: epoch 0 batch 2, epoch 1 batch 1, epoch 2 batch 0. Keras records
  // the epochs completed and the last batch seen.
  const auto a = archive((fs::path(dir) / "latest.npz").string());
  CHECK(a.at("epoch").item<int64_t>() == 2);
  CHECK(a.at("batch").item<int64_t>() == 0);
  const std::vector<Tensor> saved = {a.at("model_weight_0"), a.at("model_weight_1"), a.at("model_weight_2"),
                                     a.at("model_weight_3")};
  CHECK(same(saved, snapshots->at({2, 0})));
  CHECK_FALSE(same(saved, snapshots->at({2, 1})));
  fs::remove_all(dir);
}

TEST_CASE("BackupAndRestore with double_checkpoint falls back to the previous backup when the latest is damaged") {
  auto [x, y] = backup_data(16);
  const std::string dir = temp_dir("double");
  const fs::path latest = fs::path(dir) / "latest.npz";
  auto damage = [&] { std::ofstream(latest, std::ios::binary | std::ios::trunc) << "not a zip archive"; };
  {
    Sequential model = make_model(5);
    model.fit(x, y, fit_options({callbacks::BackupAndRestore(dir, {.double_checkpoint = true, .delete_checkpoint = false})}, 3));
  }
  CHECK(archive(latest.string()).at("epoch").item<int64_t>() == 3);
  CHECK(archive((fs::path(dir) / "_latest.npz").string()).at("epoch").item<int64_t>() == 2);
  damage();
  Sequential model = make_model(5);
  History h = model.fit(x, y, fit_options({callbacks::BackupAndRestore(dir, {.double_checkpoint = true})}, 4));
  CHECK(h.epoch() == std::vector<int>{2, 3});
  CHECK_FALSE(fs::exists(dir));

  // Without the previous backup, a damaged one is an error rather than a silent restart.
  Sequential again = make_model(5);
  again.fit(x, y, fit_options({callbacks::BackupAndRestore(dir, {.delete_checkpoint = false})}, 1));
  damage();
  CHECK_THROWS_AS(again.fit(x, y, fit_options({callbacks::BackupAndRestore(dir)}, 2)), ValueError);
  fs::remove_all(dir);
}

TEST_CASE("BackupAndRestore rejects a backup of another model and checks its arguments") {
  auto [x, y] = backup_data(16);
  const std::string dir = temp_dir("other");
  make_model(1).fit(x, y, fit_options({callbacks::BackupAndRestore(dir, {.delete_checkpoint = false})}, 1));
  Sequential other({Input({1}), layers::Dense(1)});
  other.compile({.optimizer = "adam", .loss = "mse"});
  const std::vector<Tensor> before = other.get_weights();
  CHECK_THROWS_WITH_AS(other.fit(x, y, fit_options({callbacks::BackupAndRestore(dir)}, 2)),
                       doctest::Contains("backup_dir must belong to this model"), ValueError);
  CHECK(same(other.get_weights(), before));
  fs::remove_all(dir);

  // fit builds an unbuilt model before the callbacks start (as Keras does), so a backup works for it too.
  Sequential unbuilt({layers::Dense(1)});
  unbuilt.compile({.optimizer = "adam", .loss = "mse"});
  CHECK_NOTHROW(unbuilt.fit(x, y, fit_options({callbacks::BackupAndRestore(dir)}, 1)));
  CHECK(unbuilt.built());
  CHECK_THROWS_WITH_AS(callbacks::BackupAndRestore(""), "Empty `backup_dir` argument passed", ValueError);
  CHECK_THROWS_WITH_AS(callbacks::BackupAndRestore(dir, {.save_freq = "batch"}),
                       "Invalid value for argument `save_freq`. Received: save_freq=batch. Expected either 'epoch' or "
                       "an integer value.",
                       ValueError);
}

}  // TEST_SUITE
