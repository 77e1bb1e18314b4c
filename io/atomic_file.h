#pragma once
#include <cstddef>
#include <string>

namespace keras::io {

/// A file written beside `path` and moved onto it by commit(): a crash or an exception mid-write
/// leaves the previous file untouched. Without commit() the temporary file is removed.
class AtomicFile {
 public:
  /// Creates an empty temporary file in the directory of `path`; RuntimeError when that fails.
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  /// The file being written, for libraries that write by path (HDF5, libzip).
  const std::string& temp_path() const { return tmp_; }
  const std::string& path() const { return path_; }
  /// Appends to the temporary file.
  void write(const void* data, size_t n);
  /// Flushes the temporary file to disk and renames it onto `path`.
  void commit();

 private:
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace keras::io
