#include <keras/models/saving.h>

#include <keras/core/ops.h>
#include <keras/io/keras_archive.h>
#include <keras/io/keras_h5_weights.h>
#include <keras/io/legacy_h5.h>
#include <keras/layers/registry.h>
#include <keras/layers/weight_budget.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <iostream>

namespace keras {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_legacy_h5(const std::string& path) { return ends_with(path, ".h5") || ends_with(path, ".hdf5"); }

// serialize_keras_object(model): what config.json and to_json() hold; Keras adds compile_config
// only for compiled models.
Config model_object(const Model& model) {
  Config object = serialize_layer(model);
  if (model.compiled()) object["compile_config"] = model.get_compile_config();
  return object;
}

// The optimizer as Keras's saving walk reaches it: the saveable at "optimizer" (optimizer/vars).
io::Saveable optimizer_saveable(const Model& model) {
  const optimizers::Optimizer& optimizer = model.optimizer();
  return {"optimizer", optimizer.name(), "optimizer '" + optimizer.name() + "' (" + optimizer.class_name() + ")",
          optimizer.variables()};
}

// A compiled model's saveables: its layers, then its optimizer.
std::vector<io::Saveable> model_saveables(const Model& model) {
  std::vector<io::Saveable> saveables = io::collect_saveables(model);
  if (model.compiled()) saveables.push_back(optimizer_saveable(model));
  return saveables;
}

// Whether the optimizer's state should be read from optimizer/vars: when the model is compiled and
// the file has it. As Keras, a file whose optimizer holds a different number of variables (saved
// before the optimizer was built, or by another optimizer) is skipped with a warning.
bool has_optimizer_state(const Model& model, const io::H5Group& weights) {
  if (!model.compiled() || !weights.has_group("optimizer/vars")) return false;
  const io::Saveable saveable = optimizer_saveable(model);
  const size_t stored = weights.group("optimizer/vars").children().size();
  if (stored != saveable.variables.size()) {
    std::cerr << "UserWarning: Skipping variable loading for optimizer '" << saveable.name << "', because it has "
              << saveable.variables.size() << " variables whereas the saved optimizer has " << stored << " variables."
              << std::endl;
    return false;
  }
  return true;
}

// Restores the optimizer's state from optimizer/vars when the file has it.
void load_optimizer_state(const Model& model, const io::H5Group& weights) {
  if (!has_optimizer_state(model, weights)) return;
  const io::Saveable saveable = optimizer_saveable(model);
  io::assign_saveables({saveable}, io::read_saveables(weights, {saveable}));
}

// Keras 3's load_weights walk: the layers' variables, and the optimizer's when the model is compiled
// and the file holds them. Every value is read and checked before any is assigned.
void load_weights_and_optimizer(const Model& model, const io::H5Group& weights) {
  std::vector<io::Saveable> saveables = io::collect_saveables(model);
  if (has_optimizer_state(model, weights)) saveables.push_back(optimizer_saveable(model));
  io::assign_saveables(saveables, io::read_saveables(weights, saveables));
}

// Runs `load`, naming `source` in its ValueErrors and NotImplementedErrors (deserialisers name the
// layer and the problem, not the file).
template <class F>
auto naming_source(const std::string& source, F&& load) {
  try {
    return load();
  } catch (const ValueError& e) {
    throw ValueError("Cannot load a model from '" + source + "': " + e.what());
  } catch (const NotImplementedError& e) {
    throw NotImplementedError("Cannot load a model from '" + source + "': " + e.what());
  } catch (const nlohmann::json::exception& e) {
    throw ValueError("Cannot load a model from '" + source + "': malformed config (" + e.what() + ")");
  }
}

// save_model_to_hdf5's training state: training_config, and optimizer_weights under Keras's names.
void write_legacy_training_state(const Model& model, io::H5File& file) {
  io::write_legacy_training_config(file, model.get_compile_config());
  const optimizers::Optimizer& optimizer = model.optimizer();
  const std::vector<Variable> variables = optimizer.variables();
  io::write_legacy_optimizer_weights(
      file, variables,
      io::legacy_optimizer_weight_names(model, optimizer.name(), variables, optimizer.variable_references()));
}

void warn_optimizer_state_not_loaded(const std::string& path, const std::string& reason) {
  std::cerr << "WARNING: Error in loading the saved optimizer state. As a result, your model is starting with a "
               "freshly initialized optimizer. ('"
            << path << "': " << reason << ")" << std::endl;
}

// load_model_from_hdf5's optimizer.set_weights: the saved values are assigned in order to the optimizer's
// variables, once their shapes are all checked. As Keras, a file that holds fewer values (saved before
// the optimizer was built: iteration and learning_rate) restores those; a mismatch leaves the optimizer
// fresh, with Keras's warning. Keras would also assign a longer list's first values; that is refused
// too, since such a file comes from another optimizer.
void load_legacy_optimizer_state(const Model& model, const io::H5File& file) {
  const std::string& path = file.filename();
  const std::vector<io::H5Dataset> saved = io::legacy_optimizer_weights(file);
  if (saved.empty()) return;
  optimizers::Optimizer& optimizer = model.optimizer();
  if (!optimizer.built()) {
    std::cerr << "WARNING: Error when creating the weights of optimizer '" << optimizer.name()
              << "', making it impossible to restore the saved optimizer state. As a result, your model is starting "
                 "with a freshly initialized optimizer. ('"
              << path << "': the model is not built)" << std::endl;
    return;
  }
  const std::vector<Variable> variables = optimizer.variables();
  if (saved.size() > variables.size()) {
    warn_optimizer_state_not_loaded(path, "the file holds " + std::to_string(saved.size()) + " optimizer weights, optimizer '" +
                                              optimizer.name() + "' has " + std::to_string(variables.size()) +
                                              " variables");
    return;
  }
  for (size_t i = 0; i < saved.size(); ++i) {
    const Shape shape = saved[i].shape();
    if (shape != variables[i].shape()) {
      warn_optimizer_state_not_loaded(path, "optimizer variable " + std::to_string(i) + " ('" + variables[i].name() +
                                                "') has shape " + variables[i].shape().str() +
                                                " not compatible with provided weight shape " + shape.str() + " ('" +
                                                saved[i].path() + "')");
      return;
    }
  }
  Tensors values;
  for (size_t i = 0; i < saved.size(); ++i) {
    const Tensor t = naming_source(path, [&] { return saved[i].read(); });
    values.push_back(t.dtype() == variables[i].dtype() ? t : t.astype(variables[i].dtype()));
  }
  for (size_t i = 0; i < saved.size(); ++i) Variable(variables[i]).assign(values[i]);
}

bool has_unbuilt_sublayer(const Layer& layer) {
  for (const auto& child : layer.layers()) {
    if (!child->built() || has_unbuilt_sublayer(*child)) return true;
  }
  return false;
}

// Keras's Model.build_from_config builds a subclassed model by running it; deserialize_layer only
// marks the model built, so sub-layers that create their weights when first called are run here.
void build_sublayers(Model& model) {
  if (model.is_functional() || !model.build_input_shapes() || !has_unbuilt_sublayer(model)) return;
  Tensors zeros;
  for (const Shape& shape : *model.build_input_shapes()) {
    std::vector<int64_t> dims = shape.dims();
    for (int64_t& d : dims) {
      if (d == None) d = 1;
    }
    zeros.push_back(ops::zeros(Shape(dims), model.compute_dtype()));
  }
  (void)model(zeros, false);
}

std::shared_ptr<Model> model_from_config(const Config& object, const std::string& source) {
  return naming_source(source, [&] {
    std::shared_ptr<Layer> layer = deserialize_layer(object);
    auto model = std::dynamic_pointer_cast<Model>(layer);
    if (!model) throw ValueError("it describes a " + layer->class_name() + " layer, not a model");
    build_sublayers(*model);
    return model;
  });
}

void load_weights_from_archive(const Model& model, const io::KerasArchive& archive, const std::string& path) {
  const io::H5File weights =
      io::H5File::open_image(archive.weights_h5.data(), archive.weights_h5.size(), path + ":model.weights.h5");
  const std::vector<io::Saveable> saveables = io::collect_saveables(model);
  io::assign_saveables(saveables, io::read_saveables(weights, saveables));
}

}  // namespace

void save_model(const Model& model, const std::string& path) {
  if (ends_with(path, ".keras")) {
    const Config config = model_object(model);
    const std::vector<io::Saveable> saveables = model_saveables(model);
    io::write_keras_archive(path, config, [&](io::H5File& file) { io::write_saveables(file, saveables); });
  } else if (is_legacy_h5(path)) {
    io::save_legacy_h5_model(model, path, [&](io::H5File& file) {
      if (model.compiled()) write_legacy_training_state(model, file);
    });
  } else {
    throw ValueError("Invalid filepath extension for saving. Please add either a `.keras` extension for the native "
                     "Keras format (recommended) or a `.h5` extension. Received: filepath=" + path);
  }
}

std::shared_ptr<Model> load_model(const std::string& path, const LoadModelOptions& options) {
  if (ends_with(path, ".keras")) {
    const io::KerasArchive archive = io::read_keras_archive(path);
    // Opened first, so that weights which are not HDF5 are reported as such.
    (void)io::H5File::open_image(archive.weights_h5.data(), archive.weights_h5.size(), path + ":model.weights.h5");
    std::shared_ptr<Model> model = [&] {
      // The model's weights all come from model.weights.h5, so they cannot need more than it holds.
      const WeightBudget budget(archive.weights_h5.size(), path);
      return model_from_config(archive.config, path);
    }();
    load_weights_from_archive(*model, archive, path);
    if (options.compile && archive.config.is_object() && archive.config.contains("compile_config") &&
        archive.config["compile_config"].is_object()) {
      naming_source(path, [&] { model->compile_from_config(archive.config["compile_config"]); });
      const io::H5File weights =
          io::H5File::open_image(archive.weights_h5.data(), archive.weights_h5.size(), path + ":model.weights.h5");
      load_optimizer_state(*model, weights);
    }
    return model;
  }
  if (is_legacy_h5(path)) {
    const io::H5File file = io::H5File::open(path);
    const Config config = io::upgrade_legacy_model_config(io::read_legacy_model_config(file));
    std::shared_ptr<Model> model = [&] {
      const WeightBudget budget(file.file_size(), path);
      return model_from_config(config, path);
    }();
    if (!file.has_group("model_weights")) throw ValueError("Cannot load a model from '" + path + "': it has no model_weights group");
    io::load_legacy_weights(file.group("model_weights"), *model);
    // As load_model_from_hdf5: compiled from training_config, then the optimizer's saved variables.
    const Config training_config = options.compile ? io::read_legacy_training_config(file) : Config();
    if (!training_config.is_null()) {
      naming_source(path, [&] { model->compile_from_config(io::compile_config_from_training_config(training_config, path)); });
      load_legacy_optimizer_state(*model, file);
    }
    return model;
  }
  throw ValueError("File format not supported: filepath=" + path +
                   ". Keras 3 only supports V3 `.keras` files and legacy H5 format files (`.h5` extension).");
}

namespace models {

std::shared_ptr<Model> model_from_json(const std::string& json) {
  const Config object = io::json_loads(json, "model_from_json");
  std::shared_ptr<Model> model = model_from_config(object, "model_from_json");
  // As Keras's deserialize_keras_object: a config that records compile() compiles the model.
  if (object.is_object() && object.contains("compile_config") && object["compile_config"].is_object()) {
    naming_source("model_from_json", [&] { model->compile_from_config(object["compile_config"]); });
  }
  return model;
}

}  // namespace models

void Model::save(const std::string& path) const { save_model(*this, path); }

void Model::save_weights(const std::string& path) const {
  if (!ends_with(path, ".weights.h5")) {
    throw ValueError("The filename must end in `.weights.h5`. Received: filepath=" + path);
  }
  // Keras's walk reaches the optimizer too, so its state is in the file (and load_weights restores it).
  io::save_weights_h5(*this, path, compiled() ? std::vector<io::Saveable>{optimizer_saveable(*this)}
                                              : std::vector<io::Saveable>{});
}

void Model::load_weights(const std::string& path) {
  if (ends_with(path, ".keras")) {
    const io::KerasArchive archive = io::read_keras_archive(path, false);
    load_weights_and_optimizer(
        *this, io::H5File::open_image(archive.weights_h5.data(), archive.weights_h5.size(), path + ":model.weights.h5"));
  } else if (ends_with(path, ".weights.h5")) {
    load_weights_and_optimizer(*this, io::H5File::open(path));
  } else if (is_legacy_h5(path)) {
    io::load_legacy_weights_file(*this, path);
  } else {
    throw ValueError("File format not supported: filepath=" + path +
                     ". Keras 3 only supports V3 `.keras` and `.weights.h5` files, or legacy V1/V2 `.h5` files.");
  }
}

std::string Model::to_json() const { return io::json_dumps(model_object(*this)); }

}  // namespace keras
