#pragma once
#include <keras/core/variable.h>
#include <keras/io/h5_file.h>
#include <keras/layers/layer.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

/// Keras 3's weights layout (model.weights.h5 inside a .keras archive, and `.weights.h5` files), as
/// keras/src/saving/saving_lib.py writes it: every saveable object has a group `<path>/vars` holding
/// its variables as datasets "0", "1", ... and a string attribute `name`; the model's own group is
/// the root `vars`.
namespace keras::io {

/// One object of Keras's saving walk (`_walk_saveable`): a model or layer now; an optimizer (at
/// "optimizer") or a metric once training state is saved. Callers may append their own.
struct Saveable {
  std::string path;                 // "" for the root; "layers/dense", "layers/sequential/layers/dense_1", ...
  std::string name;                 // the object's name, stored as the vars group's `name` attribute
  std::string description;          // for messages: "layer 'hidden' (Dense)"
  std::vector<Variable> variables;  // its own variables, in save_own_variables order
};

/// Sub-layers reached through named attributes, with paths relative to their owner: {{"cell", cell}}.
using SaveableChildren = std::function<std::vector<std::pair<std::string, std::shared_ptr<Layer>>>(const Layer&)>;

/// Tells the walk how a layer class names its sub-layers, for layers Keras reaches through attributes
/// (an RNN's "cell", MultiHeadAttention's "query_dense", ...). Classes without one (models among them)
/// keep their sub-layers in the list `layers`, as Sequential and Functional do. Returns true.
bool register_saveable_children(const std::string& class_name, SaveableChildren children);

/// Keras's naming of a list of saveables held at `attribute`: "<attribute>/<snake_case(class)>" and
/// "_1", "_2", ... for repeats of a class, counted in list order (`_save_container_state`).
std::vector<std::pair<std::string, std::shared_ptr<Layer>>> list_children(
    const std::string& attribute, const std::vector<std::shared_ptr<Layer>>& layers);

/// The variables a layer owns itself (not through sub-layers): trainable first, then non-trainable,
/// each in creation order, as Layer.save_own_variables orders them.
std::vector<Variable> own_variables(const Layer& layer);

/// Keras's walk from `root`: the root at "" then its sub-layers depth first, each object once (at the
/// first path that reaches it).
std::vector<Saveable> collect_saveables(const Layer& root);

/// Writes each saveable's vars group (with its `name`) and datasets below `root`.
void write_saveables(H5Group& root, const std::vector<Saveable>& saveables);

/// Reads the values of every saveable's variables, checking that each vars group holds exactly the
/// datasets "0".."n-1" with the variables' shapes; converts them to the variables' dtypes. Assigns
/// nothing. A missing group is accepted only for a saveable without variables (older files skip
/// those). ValueError naming the file, the path and the layer on any mismatch.
std::vector<Tensors> read_saveables(const H5Group& root, const std::vector<Saveable>& saveables);

/// Assigns what read_saveables returned.
void assign_saveables(const std::vector<Saveable>& saveables, const std::vector<Tensors>& values);

/// model.save_weights("x.weights.h5"): the layout in a bare HDF5 file, written to a temporary file
/// and renamed. `extra` saveables (optimizer state) are written after the model's.
void save_weights_h5(const Layer& model, const std::string& path, const std::vector<Saveable>& extra = {});
/// model.load_weights("x.weights.h5"): every weight is checked before any is assigned.
void load_weights_h5(const Layer& model, const std::string& path);

}  // namespace keras::io
