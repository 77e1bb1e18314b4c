// libFuzzer target: the HDF5 weights readers on an arbitrary file image, loading into a fixed model
// shaped like tests/data/keras/mlp.keras (Keras 3 layout, then the legacy layout, then the legacy
// model_config, training_config and optimizer_weights). Only keras-cpp's documented exceptions may come out.
#include <keras/core/errors.h>
#include <keras/io/h5_file.h>
#include <keras/io/keras_h5_weights.h>
#include <keras/io/legacy_h5.h>
#include <keras/keras.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

namespace {

keras::Sequential& model() {
  static keras::Sequential* mlp = [] {
    auto* m = new keras::Sequential({keras::Input({8}, {.name = "mlp_in"}),
                                     keras::layers::Dense(16, {.activation = "relu", .name = "hidden"}),
                                     keras::layers::Dense(3, {.activation = "softmax", .name = "probs"})},
                                    {.name = "mlp"});
    m->compile({.optimizer = "adam", .loss = "categorical_crossentropy"});
    return m;
  }();
  return *mlp;
}

template <class F>
void attempt(F&& f) {
  try {
    f();
  } catch (const keras::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  keras::Sequential& mlp = model();
  attempt([&] {
    const keras::io::H5File file = keras::io::H5File::open_image(data, size, "fuzz.h5");
    const std::vector<keras::io::Saveable> saveables = keras::io::collect_saveables(mlp);
    attempt([&] { keras::io::assign_saveables(saveables, keras::io::read_saveables(file, saveables)); });
    attempt([&] {
      const keras::io::H5Group& root = file;
      keras::io::load_legacy_weights(file.has_group("model_weights") ? file.group("model_weights") : root, mlp);
    });
    attempt([&] { (void)keras::io::upgrade_legacy_model_config(keras::io::read_legacy_model_config(file)); });
    attempt([&] {
      const keras::Config training_config = keras::io::read_legacy_training_config(file);
      if (!training_config.is_null()) (void)keras::io::compile_config_from_training_config(training_config, "fuzz.h5");
    });
    attempt([&] {
      for (const keras::io::H5Dataset& dataset : keras::io::legacy_optimizer_weights(file)) (void)dataset.read();
    });
  });
  return 0;
}
