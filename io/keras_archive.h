#pragma once
#include <keras/io/h5_file.h>
#include <keras/layers/config.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

/// The Keras 3 `.keras` archive (keras/src/saving/saving_lib.py): a zip of metadata.json,
/// config.json and model.weights.h5, all stored uncompressed. The archive knows nothing of models:
/// models/saving.cpp fills and reads the config and the weights.
namespace keras::io {

/// The Keras version whose formats keras-cpp writes (metadata.json, the legacy `keras_version`).
inline constexpr const char* kKerasVersion = "3.16.0";

/// json.dumps as Python writes it by default (", " and ": " between items, non-ASCII escaped), so
/// config.json reads as Keras's own.
std::string json_dumps(const Config& value);
/// Parses untrusted JSON text: ValueError naming `source` when it is malformed or nested absurdly deep.
Config json_loads(std::string_view text, const std::string& source);

/// What a `.keras` archive holds.
struct KerasArchive {
  Config config = {};                   // config.json
  Config metadata = {};                 // metadata.json (an empty object when absent)
  std::vector<uint8_t> weights_h5 = {};  // model.weights.h5, to open with H5File::open_image
};

/// Reads a `.keras` archive; with `with_config` false, only its weights. The zip is untrusted: a
/// malformed or truncated archive, missing entries, sizes the archive cannot hold (zip bombs) and
/// JSON that does not parse are ValueErrors naming the file and the problem; an unreadable file is a
/// RuntimeError. Archives with `model.weights.npz` (weights_format="npz", pickled) are refused with
/// NotImplementedError.
KerasArchive read_keras_archive(const std::string& path, bool with_config = true);

/// Writes a `.keras` archive: metadata.json ({"keras_version", "date_saved"}), config.json, and
/// model.weights.h5, which `write_weights` fills (an HDF5 file built in memory, as Keras builds it).
/// The archive is written beside `path` and renamed onto it, so a failure leaves any previous file
/// untouched.
void write_keras_archive(const std::string& path, const Config& config, const std::function<void(H5File&)>& write_weights);

}  // namespace keras::io
