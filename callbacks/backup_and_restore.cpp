#include <keras/callbacks/backup_and_restore.h>

#include <keras/core/errors.h>
#include <keras/io/npy.h>
#include <keras/models/model.h>

#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace keras::callbacks {

namespace {

// One archive holds the whole state, so that it is replaced at once (Keras writes
// latest.weights.h5 and training_metadata.json; "_latest" is its name for the previous backup).
constexpr const char* kLatest = "latest.npz";
constexpr const char* kPrevious = "_latest.npz";

std::string entry(const char* kind, size_t i) { return std::string(kind) + "_" + std::to_string(i); }

std::string shapes_differ(const std::string& path, const std::string& what, const std::string& name,
                          const Shape& stored, const Shape& expected) {
  return "BackupAndRestore: the backup '" + path + "' holds " + what + " '" + name + "' of shape " + stored.str() +
         " where the model has shape " + expected.str() +
         "; backup_dir must belong to this model (delete it to start afresh)";
}

}  // namespace

BackupAndRestore::BackupAndRestore(std::string backup_dir, BackupAndRestoreOptions options)
    : state_(std::make_shared<State>()) {
  if (backup_dir.empty()) throw ValueError("Empty `backup_dir` argument passed");
  state_->backup_dir = std::move(backup_dir);
  state_->options = options;
}

void BackupAndRestore::on_train_begin(Logs& /*logs*/) {
  Model& m = model();
  if (!m.built()) {
    throw ValueError("To use the BackupAndRestore callback, you model must be built before you call `fit()`. Model " +
                     m.name() + " is unbuilt. You can build it beforehand by calling it on a batch of data.");
  }
  const fs::path dir(state_->backup_dir);
  const std::string latest = (dir / kLatest).string(), previous = (dir / kPrevious).string();
  if (!fs::exists(latest)) return;
  try {
    load(latest);
  } catch (const Error&) {
    // The latest backup is unreadable: fall back to the previous one when double_checkpoint kept it.
    if (!fs::exists(previous)) throw;
    fs::rename(previous, latest);
    load(latest);
  }
}

void BackupAndRestore::load(const std::string& path) {
  std::map<std::string, Tensor> arrays;
  for (auto& [name, t] : io::load_npz(path)) arrays.emplace(name, t);
  auto get = [&](const std::string& name) -> const Tensor& {
    const auto it = arrays.find(name);
    if (it == arrays.end()) {
      throw ValueError("BackupAndRestore: the backup '" + path + "' has no '" + name +
                       "' array; it was not written by BackupAndRestore");
    }
    return it->second;
  };
  Model& m = model();
  const std::vector<Variable> weights = m.weights();
  optimizers::Optimizer& optimizer = m.optimizer();
  // Slot variables must exist before they can receive the saved values.
  if (!optimizer.built()) optimizer.build(m.trainable_weights());
  const std::vector<Variable> slots = optimizer.variables();
  size_t stored_weights = 0, stored_slots = 0;
  while (arrays.count(entry("model_weight", stored_weights))) ++stored_weights;
  while (arrays.count(entry("optimizer_variable", stored_slots))) ++stored_slots;
  if (stored_weights != weights.size() || stored_slots != slots.size()) {
    throw ValueError("BackupAndRestore: the backup '" + path + "' holds " + std::to_string(stored_weights) +
                     " model weights and " + std::to_string(stored_slots) + " optimizer variables, but the model has " +
                     std::to_string(weights.size()) + " and its optimizer " + std::to_string(slots.size()) +
                     "; backup_dir must belong to this model (delete it to start afresh)");
  }
  // Everything is checked before anything is assigned, so a bad backup leaves the model as it was.
  for (size_t i = 0; i < weights.size(); ++i) {
    const Tensor& t = get(entry("model_weight", i));
    if (t.shape() != weights[i].shape()) {
      throw ValueError(shapes_differ(path, "weight", weights[i].name(), t.shape(), weights[i].shape()));
    }
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    const Tensor& t = get(entry("optimizer_variable", i));
    if (t.shape() != slots[i].shape()) {
      throw ValueError(shapes_differ(path, "optimizer variable", slots[i].name(), t.shape(), slots[i].shape()));
    }
  }
  const Tensor& epoch_t = get("epoch");
  if (epoch_t.size() != 1) throw ValueError("BackupAndRestore: the backup '" + path + "' has a malformed 'epoch'");
  const auto epoch = static_cast<int>(epoch_t.astype(DType::int64).item<int64_t>());
  for (size_t i = 0; i < weights.size(); ++i) Variable(weights[i]).assign(get(entry("model_weight", i)));
  for (size_t i = 0; i < slots.size(); ++i) Variable(slots[i]).assign(get(entry("optimizer_variable", i)));
  m.set_initial_epoch(epoch);
  // Keras keeps counting from 0 here; the restored epoch keeps a batch-level backup made before
  // the next epoch's end from recording an earlier epoch.
  state_->current_epoch = epoch;
}

void BackupAndRestore::on_epoch_end(int epoch, Logs& /*logs*/) {
  state_->current_epoch = epoch + 1;
  state_->last_batch_seen = 0;
  if (state_->options.save_freq.per_epoch()) save();
}

void BackupAndRestore::on_train_batch_end(int64_t batch, Logs& /*logs*/) {
  if (should_save_on_batch(batch)) save();
}

bool BackupAndRestore::should_save_on_batch(int64_t batch) {
  State& s = *state_;
  if (s.options.save_freq.per_epoch()) return false;
  // With steps_per_execution, batch indices jump; a smaller index means a new epoch began.
  s.batches_seen_since_last_saving += batch <= s.last_batch_seen ? batch + 1 : batch - s.last_batch_seen;
  s.last_batch_seen = batch;
  if (s.batches_seen_since_last_saving < s.options.save_freq.batches()) return false;
  s.batches_seen_since_last_saving = 0;
  return true;
}

void BackupAndRestore::save() {
  const State& s = *state_;
  const fs::path dir(s.backup_dir);
  fs::create_directories(dir);
  const fs::path latest = dir / kLatest;
  if (s.options.double_checkpoint && fs::exists(latest)) {
    fs::copy_file(latest, dir / kPrevious, fs::copy_options::overwrite_existing);
  }
  std::vector<std::pair<std::string, Tensor>> arrays;
  const std::vector<Variable> weights = model().weights();
  for (size_t i = 0; i < weights.size(); ++i) arrays.emplace_back(entry("model_weight", i), weights[i].value());
  const std::vector<Variable> slots = model().optimizer().variables();
  for (size_t i = 0; i < slots.size(); ++i) arrays.emplace_back(entry("optimizer_variable", i), slots[i].value());
  arrays.emplace_back("epoch", Tensor::scalar(static_cast<int64_t>(s.current_epoch)));
  arrays.emplace_back("batch", Tensor::scalar(s.last_batch_seen));
  io::save_npz(latest.string(), arrays);
}

void BackupAndRestore::on_train_end(Logs& /*logs*/) {
  if (state_->options.delete_checkpoint && fs::exists(state_->backup_dir)) fs::remove_all(state_->backup_dir);
}

}  // namespace keras::callbacks
