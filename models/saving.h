#pragma once
#include <keras/models/model.h>

#include <memory>
#include <string>

namespace keras {

/// keras.saving.save_model: the Keras 3 `.keras` archive, or Keras's legacy HDF5 file for `.h5` and
/// `.hdf5`, chosen by the suffix (ValueError for others). Written beside `path` and renamed onto it.
void save_model(const Model& model, const std::string& path);
/// keras.saving.load_model's keyword arguments.
struct LoadModelOptions {
  /// Compiles the model from the file's compile_config (.keras) or training_config (.h5) and restores
  /// the optimizer's state; false leaves both unread and the model uncompiled, as Keras's compile=False.
  bool compile = true;
};
/// keras.saving.load_model: a `.keras` archive or a legacy `.h5`/`.hdf5` file (Keras 3 or Keras 2),
/// with its weights. Custom classes must be registered (register_layer, "package>Name").
std::shared_ptr<Model> load_model(const std::string& path, const LoadModelOptions& options = {});

namespace models {
/// keras.models.load_model (the same function).
using ::keras::load_model;
/// keras.models.model_from_json: a model (without weights) from Model::to_json()'s text, compiled when
/// the text holds a compile_config (as Keras's deserialize_keras_object compiles it).
std::shared_ptr<Model> model_from_json(const std::string& json);
}  // namespace models

}  // namespace keras
