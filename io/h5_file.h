#pragma once
#include <keras/core/shape.h>
#include <keras/core/tensor.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

/// A small RAII wrapper over the HDF5 C API, for the Keras file formats: files, groups, datasets of
/// keras-cpp's dtypes (stored as h5py stores NumPy's), and string attributes as h5py writes them.
/// An HDF5 failure is a RuntimeError naming the file and HDF5's reason (HDF5's own printing of errors
/// is silenced); content keras-cpp cannot use (a missing member, an unknown type, an absurd shape) is a
/// ValueError naming the file and the object. Files are untrusted: external links are refused and no
/// read allocates more than the file could hold. Calls are serialised, so handles may be used from
/// several threads.
namespace keras::io {

/// How a string attribute is stored. h5py writes `str` as variable-length UTF-8 and `bytes` (and lists
/// of them) as variable-length ASCII; h5py 2 (Keras 2) wrote NumPy `|S` data as fixed-length ASCII.
struct H5StringType {
  bool variable_length = true;
  bool utf8 = true;
};

/// What an attribute holds, as h5py reports it.
struct H5AttributeInfo {
  bool is_string = false;
  H5StringType string_type = {};  // for strings
  std::string dtype = {};         // for numbers: "float64", "int32", ...; "" for other HDF5 types
  Shape shape = {};               // () for a scalar
};

struct H5Handle;

/// A group or a dataset: the attribute API both have.
class H5Object {
 public:
  /// The object's path in its file ("/" for the root), and the file's name, as messages quote them.
  const std::string& path() const;
  const std::string& filename() const;

  bool has_attribute(const std::string& name) const;
  /// Names of the attributes, in HDF5's name order.
  std::vector<std::string> attribute_names() const;
  /// Type and shape of an attribute; ValueError if there is none.
  H5AttributeInfo attribute_info(const std::string& name) const;
  /// A string attribute holding one string (scalar or one-element array), stored either way.
  std::string read_string_attribute(const std::string& name) const;
  /// A string-array attribute; a scalar string reads as one element, an empty numeric array as none.
  std::vector<std::string> read_string_list_attribute(const std::string& name) const;
  /// Writes (or replaces) a scalar string attribute.
  void write_string_attribute(const std::string& name, const std::string& value, H5StringType type = {});
  /// Writes (or replaces) a 1-D string attribute; an empty list is an empty float64 array, as h5py
  /// writes `np.asarray([])`.
  void write_string_list_attribute(const std::string& name, const std::vector<std::string>& values,
                                   H5StringType type = {});

 protected:
  explicit H5Object(std::shared_ptr<H5Handle> handle);
  std::shared_ptr<H5Handle> handle_;
};

/// An HDF5 dataset.
class H5Dataset : public H5Object {
 public:
  /// Its shape; ValueError for a dataset with no data space or absurd dimensions.
  Shape shape() const;
  /// The dtype its data reads as: float16/32/64, int32 (from any signed or 16-bit integer), int64,
  /// uint8, bool (h5py's enum), bfloat16 (2-byte data with Keras's `dtype="bfloat16"` attribute).
  /// ValueError for other types.
  DType dtype() const;
  /// True when the data is chunked (h5py's `chunks` is not None); Keras writes contiguous data.
  bool chunked() const;
  /// The whole dataset, as a tensor of dtype(). ValueError when it claims more data than the file holds.
  Tensor read() const;

 private:
  friend class H5Group;
  using H5Object::H5Object;
};

/// An HDF5 group. Member paths are relative and '/'-separated ("layers/dense/vars").
class H5Group : public H5Object {
 public:
  /// Names of the members (groups and datasets), in HDF5's byte-wise name order.
  std::vector<std::string> children() const;
  bool has_group(const std::string& path) const;
  bool has_dataset(const std::string& path) const;
  /// Opens a member; ValueError naming the file and the path when it is missing or of the other kind.
  H5Group group(const std::string& path) const;
  H5Dataset dataset(const std::string& path) const;
  /// Creates a group, and its missing parents; RuntimeError if it exists.
  H5Group create_group(const std::string& path);
  /// Opens the group, creating it (and its parents) if missing.
  H5Group require_group(const std::string& path);
  /// Writes `value` as a new contiguous, uncompressed dataset (parents created). bfloat16 is stored
  /// as 2-byte opaque data with the attribute `dtype="bfloat16"`, as Keras stores it.
  H5Dataset create_dataset(const std::string& path, const Tensor& value);

 protected:
  using H5Object::H5Object;
};

/// An open HDF5 file, as its root group.
class H5File : public H5Group {
 public:
  /// Opens a file read-only: RuntimeError if it cannot be read, ValueError if it is not HDF5.
  static H5File open(const std::string& path);
  /// Opens the HDF5 file held in memory (a zip entry, say); `name` names it in messages.
  static H5File open_image(const void* data, size_t size, const std::string& name);
  /// Creates a file for writing, replacing any file at `path`. HDF5 writes it itself: after a write
  /// error (a full disk) HDF5 cannot close it cleanly, so savers use create_in_memory instead.
  static H5File create(const std::string& path);
  /// Creates a file in memory; image() gives its bytes to write anywhere. Nothing touches the disk, so
  /// no failure can leave HDF5 holding a half-written file. `name` names it in messages.
  static H5File create_in_memory(const std::string& name);
  /// The bytes of a file made by create_in_memory, as they stand (everything flushed).
  std::vector<uint8_t> image();
  /// Writes everything out and closes the file (RuntimeError if that fails). Groups and datasets
  /// opened from it are closed too: using them afterwards is a RuntimeError.
  void close();
  /// The file's size in bytes.
  uint64_t file_size() const;

 private:
  using H5Group::H5Group;
  static H5File adopt(int64_t file_id, const std::string& name);
};

}  // namespace keras::io
