#pragma once
// Helpers for tests of files: a temporary directory, raw bytes, a minimal zip reader and writer (so
// tests can inspect and forge archives without libzip), and the layout of an HDF5 file in the form
// the fixtures record it (tests/data/keras/*.expected.json).
#include <keras/io/h5_file.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace keras::testing {

/// A fresh directory per test, removed afterwards.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("keras_files_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

inline std::string keras_fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/keras/" + name; }

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> to_bytes(const std::string& s) { return {s.begin(), s.end()}; }

inline nlohmann::json read_json(const std::string& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  return nlohmann::json::parse(bytes.begin(), bytes.end());
}

/// A float32 tensor of `shape` from a fixture's nested JSON list of numbers.
inline Tensor tensor_from_json(const nlohmann::json& values, const nlohmann::json& shape) {
  std::vector<float> flat;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
    if (v.is_array()) {
      for (const nlohmann::json& x : v) walk(x);
    } else {
      flat.push_back(v.get<float>());
    }
  };
  walk(values);
  return Tensor::from_vector(flat, Shape(shape.get<std::vector<int64_t>>()));
}

// --- zip

struct ZipEntry {
  std::string name;
  uint16_t method = 0;
  uint32_t compressed_size = 0;
  uint32_t size = 0;
  std::vector<uint8_t> data;  // for stored entries
};

inline uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<uint32_t>(b.at(at)) | static_cast<uint32_t>(b.at(at + 1)) << 8 |
         static_cast<uint32_t>(b.at(at + 2)) << 16 | static_cast<uint32_t>(b.at(at + 3)) << 24;
}
inline uint16_t le16(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<uint16_t>(b.at(at) | b.at(at + 1) << 8);
}

/// The entries of a zip, from its central directory, in stored order.
inline std::vector<ZipEntry> zip_entries(const std::vector<uint8_t>& zip) {
  REQUIRE(zip.size() >= 22);
  size_t eocd = zip.size() - 22;
  while (eocd > 0 && le32(zip, eocd) != 0x06054b50) --eocd;
  REQUIRE(le32(zip, eocd) == 0x06054b50);
  const size_t count = le16(zip, eocd + 10);
  size_t at = le32(zip, eocd + 16);
  std::vector<ZipEntry> out;
  for (size_t i = 0; i < count; ++i) {
    REQUIRE(le32(zip, at) == 0x02014b50);
    ZipEntry e;
    e.method = le16(zip, at + 10);
    e.compressed_size = le32(zip, at + 20);
    e.size = le32(zip, at + 24);
    const size_t name_len = le16(zip, at + 28), extra_len = le16(zip, at + 30), comment_len = le16(zip, at + 32);
    const size_t local = le32(zip, at + 42);
    e.name.assign(zip.begin() + static_cast<std::ptrdiff_t>(at + 46), zip.begin() + static_cast<std::ptrdiff_t>(at + 46 + name_len));
    if (e.method == 0) {
      const size_t data = local + 30 + le16(zip, local + 26) + le16(zip, local + 28);
      e.data.assign(zip.begin() + static_cast<std::ptrdiff_t>(data),
                    zip.begin() + static_cast<std::ptrdiff_t>(data + e.compressed_size));
    }
    out.push_back(std::move(e));
    at += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

inline uint32_t crc32(const std::vector<uint8_t>& data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : data) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

/// A zip of stored entries, as Python's zipfile writes them.
inline std::vector<uint8_t> make_zip(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& entries) {
  std::vector<uint8_t> out, central;
  auto put16 = [](std::vector<uint8_t>& v, uint32_t x) { v.push_back(x & 0xFF); v.push_back((x >> 8) & 0xFF); };
  auto put32 = [&](std::vector<uint8_t>& v, uint32_t x) { put16(v, x & 0xFFFF); put16(v, x >> 16); };
  for (const auto& [name, data] : entries) {
    const uint32_t offset = static_cast<uint32_t>(out.size()), crc = crc32(data), size = static_cast<uint32_t>(data.size());
    put32(out, 0x04034b50); put16(out, 20); put16(out, 0); put16(out, 0); put16(out, 0); put16(out, 0x21);
    put32(out, crc); put32(out, size); put32(out, size); put16(out, static_cast<uint32_t>(name.size())); put16(out, 0);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), data.begin(), data.end());
    put32(central, 0x02014b50); put16(central, 20); put16(central, 20); put16(central, 0); put16(central, 0);
    put16(central, 0); put16(central, 0x21); put32(central, crc); put32(central, size); put32(central, size);
    put16(central, static_cast<uint32_t>(name.size())); put16(central, 0); put16(central, 0); put16(central, 0);
    put16(central, 0); put32(central, 0); put32(central, offset);
    central.insert(central.end(), name.begin(), name.end());
  }
  const uint32_t central_offset = static_cast<uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, 0x06054b50); put16(out, 0); put16(out, 0);
  put16(out, static_cast<uint32_t>(entries.size())); put16(out, static_cast<uint32_t>(entries.size()));
  put32(out, static_cast<uint32_t>(central.size())); put32(out, central_offset); put16(out, 0);
  return out;
}

// --- HDF5 layout, as the fixtures' "entries" record it

inline nlohmann::json attribute_layout(const io::H5Object& object, const std::string& name) {
  const io::H5AttributeInfo info = object.attribute_info(name);
  nlohmann::json a;
  a["dtype"] = info.is_string ? "object" : info.dtype;
  a["shape"] = info.shape.dims();
  if (info.is_string) {
    a["h5_string"] = {{"encoding", info.string_type.utf8 ? "utf-8" : "ascii"},
                      {"length", info.string_type.variable_length ? nlohmann::json() : nlohmann::json("fixed")}};
    a["value"] = info.shape.rank() == 0 ? nlohmann::json(object.read_string_attribute(name))
                                        : nlohmann::json(object.read_string_list_attribute(name));
  } else {
    a["h5_string"] = nullptr;
    if (info.shape.rank() > 0 && info.shape.size() == 0) a["value"] = nlohmann::json::array();
  }
  return a;
}

inline nlohmann::json attributes_layout(const io::H5Object& object) {
  nlohmann::json attrs = nlohmann::json::object();
  for (const std::string& name : object.attribute_names()) attrs[name] = attribute_layout(object, name);
  return attrs;
}

/// Every group and dataset below `group`, depth first in name order (h5py's visititems order).
inline void h5_layout(const io::H5Group& group, const std::string& prefix, nlohmann::json& entries) {
  for (const std::string& name : group.children()) {
    const std::string path = prefix.empty() ? name : prefix + "/" + name;
    nlohmann::json e;
    e["path"] = path;
    if (group.has_group(name)) {
      const io::H5Group g = group.group(name);
      e["kind"] = "group";
      if (!g.attribute_names().empty()) e["attrs"] = attributes_layout(g);
      entries.push_back(e);
      h5_layout(g, path, entries);
    } else {
      const io::H5Dataset d = group.dataset(name);
      e["kind"] = "dataset";
      e["shape"] = d.shape().dims();
      e["dtype"] = std::string(dtype_name(d.dtype()));
      e["chunks"] = d.chunked() ? nlohmann::json("chunked") : nlohmann::json();
      entries.push_back(e);
    }
  }
}

inline nlohmann::json h5_layout(const io::H5Group& root) {
  nlohmann::json entries = nlohmann::json::array();
  h5_layout(root, "", entries);
  return entries;
}

/// Our layout entries against Keras's (a fixture's "entries"), leaving out optimizer state unless
/// `with_optimizer` (for files of an uncompiled model); versions and backends may differ, names may not.
inline void check_h5_layout(const nlohmann::json& ours, const nlohmann::json& keras, bool with_optimizer = false) {
  std::vector<nlohmann::json> want;
  for (const nlohmann::json& e : keras) {
    const std::string path = e["path"];
    if (with_optimizer || path.rfind("optimizer", 0) != 0) want.push_back(e);
  }
  REQUIRE(ours.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("entry " << want[i]["path"]);
    CHECK(ours[i]["path"] == want[i]["path"]);
    CHECK(ours[i]["kind"] == want[i]["kind"]);
    if (want[i]["kind"] == "dataset") {
      CHECK(ours[i]["shape"] == want[i]["shape"]);
      CHECK(ours[i]["dtype"] == want[i]["dtype"]);
      CHECK(ours[i]["chunks"] == want[i]["chunks"]);
    }
    const nlohmann::json want_attrs = want[i].value("attrs", nlohmann::json::object());
    const nlohmann::json our_attrs = ours[i].value("attrs", nlohmann::json::object());
    CHECK(our_attrs.size() == want_attrs.size());
    for (const auto& item : want_attrs.items()) {
      const std::string& name = item.key();
      const nlohmann::json& a = item.value();
      INFO("attribute " << name);
      REQUIRE(our_attrs.contains(name));
      const nlohmann::json& o = our_attrs[name];
      CHECK(o["dtype"] == a["dtype"]);
      CHECK(o["shape"] == a["shape"]);
      CHECK(o["h5_string"] == a["h5_string"]);
      // Versions and backends are ours; names are the model's.
      if (name != "backend" && name != "keras_version") CHECK(o["value"] == a["value"]);
    }
  }
}

}  // namespace keras::testing
