#pragma once
#include <keras/io/h5_file.h>
#include <keras/layers/config.h>
#include <keras/layers/layer.h>

#include <functional>
#include <string>

/// Keras's legacy single-file HDF5 format (keras/src/legacy/saving/legacy_h5_format.py), which
/// `model.save("m.h5")` still writes and which Keras 2 wrote for everything: root attributes
/// `keras_version`, `backend` and `model_config` (JSON), and a `model_weights` group with one group per
/// layer. Weights load by order, not by name, as Keras loads them.
namespace keras::io {

/// The backend name keras-cpp writes in legacy files (Keras writes "tensorflow", "torch", "jax").
inline constexpr const char* kLegacyBackend = "keras-cpp";

/// The legacy `model_config` of a model: {"class_name", "config"}, whose layer lists hold legacy
/// {"class_name", "config"} dicts (no module, registered_name or build_config). Registered custom
/// classes are named by their "package>Name". A subclassed model keeps its build_config, which Keras
/// ignores and keras-cpp needs to create its weights.
Config legacy_model_config(const Layer& model);

/// A legacy model_config made loadable by deserialize_layer, as Keras's saving_utils.model_from_config
/// does: Keras 2's "Model" is "Functional", a Sequential's `batch_input_shape` becomes its InputLayer,
/// one-element `axis` lists become integers, and the oldest list-form Sequential configs get a dict.
Config upgrade_legacy_model_config(Config config);

/// Writes the legacy file: root attributes and `model_weights`, in a temporary file renamed onto `path`.
/// `extra` adds to the open file before it is closed (training_config and optimizer_weights, once
/// models compile).
void save_legacy_h5_model(const Layer& model, const std::string& path,
                          const std::function<void(H5File&)>& extra = {});

/// The parsed `model_config` root attribute; ValueError when it is missing or not JSON.
Config read_legacy_model_config(const H5File& file);

/// save_weights_to_hdf5_group: attributes `layer_names`, `backend`, `keras_version`; a group per layer
/// (in name order) with its `weight_names` and datasets; `top_level_model_weights` for the model's own.
void write_legacy_weights(H5Group& group, const Layer& model);

/// load_weights_from_hdf5_group: the file's layers that have weights, in `layer_names` order, are
/// matched with the model's layers that have weights, in order; names are ignored, counts and shapes
/// must agree. Accepts Keras 2 files (":0" names, fixed-length strings, attributes chunked as
/// `weight_names0`, `weight_names1`, ...). Everything is checked before anything is assigned.
void load_legacy_weights(const H5Group& group, const Layer& model);

/// model.load_weights("w.h5"): the `model_weights` group of a full legacy model file, or the root of a
/// weights-only file.
void load_legacy_weights_file(const Layer& model, const std::string& path);

}  // namespace keras::io
