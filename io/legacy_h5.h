#pragma once
#include <keras/io/h5_file.h>
#include <keras/layers/config.h>
#include <keras/layers/layer.h>

#include <functional>
#include <string>

/// Keras's legacy single-file HDF5 format (keras/src/legacy/saving/legacy_h5_format.py), which
/// `model.save("m.h5")` still writes and which Keras 2 wrote for everything: root attributes
/// `keras_version`, `backend` and `model_config` (JSON), and a `model_weights` group with one group per
/// layer; a compiled model adds `training_config` (JSON) and an `optimizer_weights` group. Weights load
/// by order, not by name, as Keras loads them; so do the optimizer's.
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
/// `extra` adds to the open file before it is closed (training_config and optimizer_weights).
void save_legacy_h5_model(const Layer& model, const std::string& path,
                          const std::function<void(H5File&)>& extra = {});

/// saving_utils.model_metadata's `training_config` from a Keras 3 compile config (Model's
/// get_compile_config): every key but `optimizer`, with Keras objects in the legacy {"class_name",
/// "config"} form (functions by name), then `optimizer_config` {"class_name", "config"}.
Config legacy_training_config(const Config& compile_config);

/// Writes legacy_training_config(compile_config) as the root attribute `training_config` (JSON bytes).
void write_legacy_training_config(H5File& file, const Config& compile_config);

/// The parsed `training_config` root attribute; null when the file has none. ValueError naming the
/// file when it is not a JSON dict.
Config read_legacy_training_config(const H5File& file);

/// compile_args_from_training_config, as a compile config (Model::compile_from_config): optimizer
/// (from optimizer_config), loss, metrics, weighted_metrics and loss_weights, and nothing else, as
/// Keras. Keras 2 forms are upgraded: "Custom>Adam" class names, `lr`, `decay`, `is_legacy_optimizer`
/// and `jit_compile` optimizer keys, `reduction: "auto"` losses, per-output metric lists of a single
/// output, MeanMetricWrapper metrics. ValueError naming `source` for a config of the wrong shape.
Config compile_config_from_training_config(const Config& training_config, const std::string& source);

/// The names Keras 3 gives an optimizer's variables in `optimizer_weights` (variable.path):
/// "<optimizer>/iteration", "<optimizer>/learning_rate", and for a slot of a model variable
/// "<optimizer>/<the model variable's path, '/' as '_'>_<slot>" ("adam/mlp_hidden_kernel_momentum").
/// `references` is Optimizer::variable_references().
std::vector<std::string> legacy_optimizer_weight_names(const Layer& model, const std::string& optimizer_name,
                                                       const std::vector<Variable>& variables,
                                                       const std::vector<Variable>& references);

/// save_optimizer_weights_to_hdf5_group: the group `optimizer_weights` with attribute `weight_names`
/// and a dataset per variable, named by `names`; nothing when there are no variables.
void write_legacy_optimizer_weights(H5File& file, const std::vector<Variable>& variables,
                                    const std::vector<std::string>& names);

/// load_optimizer_weights_from_hdf5_group: the datasets `optimizer_weights` lists in `weight_names`,
/// in that order (none when the file has no such group). ValueError naming the file when a listed
/// dataset is missing.
std::vector<H5Dataset> legacy_optimizer_weights(const H5File& file);

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
