#include <keras/io/keras_archive.h>

#include <keras/core/errors.h>
#include <keras/io/atomic_file.h>
#include <keras/io/io_utils.h>

#include <nlohmann/json.hpp>
#include <zip.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>

namespace keras::io {

namespace {

using detail::Archive;
using detail::EntryCloser;
using detail::kMaxDeflateRatio;
using detail::zip_error_text;

constexpr const char* kConfigName = "config.json";
constexpr const char* kMetadataName = "metadata.json";
constexpr const char* kWeightsName = "model.weights.h5";
constexpr uint64_t kMaxConfigBytes = uint64_t{64} << 20;
constexpr uint64_t kMaxMetadataBytes = uint64_t{1} << 20;
constexpr int kMaxJsonDepth = 512;

void dump(const Config& value, std::string& out) {
  switch (value.type()) {
    case Config::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += Config(it.key()).dump(-1, ' ', true);
        out += ": ";
        dump(it.value(), out);
      }
      out += '}';
      return;
    }
    case Config::value_t::array: {
      out += '[';
      for (size_t i = 0; i < value.size(); ++i) {
        if (i) out += ", ";
        dump(value[i], out);
      }
      out += ']';
      return;
    }
    case Config::value_t::number_float: {
      const double d = value.get<double>();
      // Python writes these tokens (not valid strict JSON, but what Keras would read back).
      if (std::isnan(d)) {
        out += "NaN";
      } else if (std::isinf(d)) {
        out += d > 0 ? "Infinity" : "-Infinity";
      } else {
        out += value.dump();
      }
      return;
    }
    default:
      out += value.dump(-1, ' ', true);
  }
}

[[noreturn]] void invalid(const std::string& path, const std::string& problem) {
  throw ValueError("Invalid .keras file '" + path + "': " + problem);
}

// Reads a whole entry, checking it holds exactly the size its header claims (libzip checks the CRC
// when the end is reached). Memory grows with the data that actually arrives, not with the claim.
std::vector<uint8_t> read_entry(zip_t* za, zip_uint64_t index, const zip_stat_t& st, const std::string& path) {
  std::unique_ptr<zip_file_t, EntryCloser> file(zip_fopen_index(za, index, 0));
  if (!file) invalid(path, std::string("cannot open ") + st.name + ": " + zip_strerror(za));
  std::vector<uint8_t> bytes;
  bytes.reserve(std::min<uint64_t>(st.size, uint64_t{64} << 20));
  std::vector<uint8_t> chunk(1 << 20);
  while (true) {
    const zip_int64_t got = zip_fread(file.get(), chunk.data(), chunk.size());
    if (got < 0) invalid(path, std::string(st.name) + " is corrupt: " + zip_file_strerror(file.get()));
    if (got == 0) break;
    if (bytes.size() + static_cast<uint64_t>(got) > st.size) {
      invalid(path, std::string(st.name) + " holds more data than its zip header claims");
    }
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + got);
  }
  if (bytes.size() != st.size) {
    invalid(path, std::string(st.name) + " is truncated: " + std::to_string(bytes.size()) + " of " +
                      std::to_string(st.size) + " bytes");
  }
  return bytes;
}

std::string date_saved() {
  const std::time_t now = std::time(nullptr);
  std::tm local {};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d@%H:%M:%S", &local);
  return buffer;
}

}  // namespace

std::string json_dumps(const Config& value) {
  std::string out;
  dump(value, out);
  return out;
}

Config json_loads(std::string_view text, const std::string& source) {
  try {
    return Config::parse(text.begin(), text.end(), [&](int depth, Config::parse_event_t, Config&) {
      if (depth > kMaxJsonDepth) {
        throw ValueError("'" + source + "' is not usable JSON: it nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      }
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    throw ValueError("'" + source + "' is not valid JSON: " + e.what());
  }
}

KerasArchive read_keras_archive(const std::string& path, bool with_config) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw RuntimeError("Cannot open '" + path + "' for reading: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw RuntimeError("Cannot read '" + path + "': it is not a regular file");
  const uint64_t archive_size = static_cast<uint64_t>(st.st_size);
  // libzip opens an empty file as an empty archive; it is no .keras file.
  if (archive_size == 0) invalid(path, "it is empty");
  int code = 0;
  Archive za(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!za) {
    if (code == ZIP_ER_OPEN || code == ZIP_ER_READ) throw RuntimeError("Cannot read '" + path + "': " + zip_error_text(code));
    invalid(path, "not a readable zip archive (" + zip_error_text(code) + ")");
  }
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  if (n < 0) invalid(path, "cannot count its entries");
  std::map<std::string, std::pair<zip_uint64_t, zip_stat_t>> entries;
  uint64_t compressed_total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t s;
    zip_stat_init(&s);
    if (zip_stat_index(za.get(), static_cast<zip_uint64_t>(i), 0, &s) != 0) {
      invalid(path, "entry " + std::to_string(i) + ": " + zip_strerror(za.get()));
    }
    const uint64_t need = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
    if ((s.valid & need) != need) invalid(path, "entry " + std::to_string(i) + " lacks its sizes");
    const std::string name = s.name;
    if (s.comp_method != ZIP_CM_STORE && s.comp_method != ZIP_CM_DEFLATE) {
      invalid(path, "entry '" + name + "' uses compression method " + std::to_string(s.comp_method) +
                        "; Keras writes stored (or deflated) entries only");
    }
    const bool lies = s.comp_method == ZIP_CM_STORE ? s.size != s.comp_size : s.size / kMaxDeflateRatio > s.comp_size;
    if (lies) {
      invalid(path, "entry '" + name + "' claims " + std::to_string(s.size) + " bytes from " + std::to_string(s.comp_size) +
                        " compressed bytes, which is impossible");
    }
    compressed_total += s.comp_size;
    if (compressed_total > archive_size) {
      invalid(path, "its entries claim more compressed data (" + std::to_string(compressed_total) +
                        " bytes) than the archive holds (" + std::to_string(archive_size) + ")");
    }
    if (!entries.emplace(name, std::make_pair(static_cast<zip_uint64_t>(i), s)).second) {
      invalid(path, "the entry '" + name + "' appears twice");
    }
  }
  auto find = [&](const char* name) { return entries.find(name); };
  KerasArchive archive;
  archive.metadata = Config::object();
  if (with_config) {
    auto config = find(kConfigName);
    if (config == entries.end()) invalid(path, "it has no config.json");
    if (config->second.second.size > kMaxConfigBytes) {
      invalid(path, "config.json claims " + std::to_string(config->second.second.size) + " bytes; the limit is " +
                        std::to_string(kMaxConfigBytes));
    }
    const std::vector<uint8_t> text = read_entry(za.get(), config->second.first, config->second.second, path);
    archive.config = json_loads(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
                                path + ":config.json");
    if (!archive.config.is_object()) invalid(path, "config.json does not hold a JSON object");
    auto metadata = find(kMetadataName);
    if (metadata != entries.end()) {
      if (metadata->second.second.size > kMaxMetadataBytes) invalid(path, "metadata.json is absurdly large");
      const std::vector<uint8_t> meta = read_entry(za.get(), metadata->second.first, metadata->second.second, path);
      archive.metadata = json_loads(std::string_view(reinterpret_cast<const char*>(meta.data()), meta.size()),
                                    path + ":metadata.json");
    }
  }
  auto weights = find(kWeightsName);
  if (weights == entries.end()) {
    if (find("model.weights.npz") != entries.end()) {
      throw NotImplementedError("'" + path + "' stores its weights as model.weights.npz (weights_format=\"npz\"), "
                                "which holds pickled Python objects; keras-cpp reads model.weights.h5 only");
    }
    invalid(path, "it has no model.weights.h5");
  }
  archive.weights_h5 = read_entry(za.get(), weights->second.first, weights->second.second, path);
  return archive;
}

void write_keras_archive(const std::string& path, const Config& config, const std::function<void(H5File&)>& write_weights) {
  const std::string config_text = json_dumps(config);
  const std::string metadata_text =
      json_dumps(Config{{"keras_version", kKerasVersion}, {"date_saved", date_saved()}});
  // In memory, as Keras builds it (an io.BytesIO): HDF5 never meets a full disk, libzip does.
  std::vector<uint8_t> weights;
  {
    H5File file = H5File::create_in_memory(path + ":model.weights.h5");
    write_weights(file);
    weights = file.image();
  }
  AtomicFile archive(path);
  int code = 0;
  Archive za(zip_open(archive.temp_path().c_str(), ZIP_TRUNCATE, &code));
  if (!za) throw RuntimeError("Cannot write '" + path + "': " + zip_error_text(code));
  auto fail = [&](const std::string& what) -> void {
    throw RuntimeError("Cannot write '" + path + "': " + what + ": " + zip_strerror(za.get()));
  };
  auto add = [&](const char* name, zip_source_t* source) {
    if (source == nullptr) fail(std::string("cannot read the data of ") + name);
    const zip_int64_t index = zip_file_add(za.get(), name, source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      fail(std::string("cannot add ") + name);
    }
    // Keras's zipfile.ZipFile(f, "w") stores entries uncompressed.
    if (zip_set_file_compression(za.get(), static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) != 0) {
      fail(std::string("cannot store ") + name);
    }
  };
  add(kMetadataName, zip_source_buffer(za.get(), metadata_text.data(), metadata_text.size(), 0));
  add(kConfigName, zip_source_buffer(za.get(), config_text.data(), config_text.size(), 0));
  add(kWeightsName, zip_source_buffer(za.get(), weights.data(), weights.size(), 0));
  if (zip_close(za.get()) != 0) fail("cannot finish the archive");
  (void)za.release();  // zip_close freed it
  archive.commit();
}

}  // namespace keras::io
