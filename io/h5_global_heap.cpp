#include <keras/io/h5_global_heap.h>

#include <keras/core/errors.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace keras::io::detail {

namespace {

constexpr std::array<uint8_t, 8> kSuperblockSignature{0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
constexpr std::array<uint8_t, 4> kCollectionSignature{'G', 'C', 'O', 'L'};

uint64_t decode(const uint8_t* p, size_t n) {  // little-endian, as HDF5 stores its integers
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// HDF5's "size of lengths" (the width of a collection's and an object's size fields) from the
// superblock, which sits at 0, 512, 1024, 2048, ... bytes. 8 unless the file says otherwise.
size_t length_width(uint64_t size, const ReadAt& read_at) {
  for (uint64_t at = 0; at + 16 <= size; at = at == 0 ? 512 : at * 2) {
    std::array<uint8_t, 16> head{};
    if (!read_at(at, head.size(), head.data())) break;
    if (!std::equal(kSuperblockSignature.begin(), kSuperblockSignature.end(), head.begin())) continue;
    const uint8_t version = head[8];
    const uint8_t width = version <= 1 ? head[14] : head[10];
    return width == 2 || width == 4 || width == 8 ? width : 8;
  }
  return 8;
}

[[noreturn]] void corrupt(const std::string& name, uint64_t at, const std::string& why) {
  throw ValueError("'" + name + "' is not a valid HDF5 file: the global heap collection at byte " + std::to_string(at) +
                   " " + why + " (refused before HDF5 reads it: its 1.10 reader does not check this)");
}

// The collection at `at` (its signature and version already seen), parsed as H5HG's deserializer
// walks it: objects of an index, a count, 4 reserved bytes and a size, each padded to 8 bytes, the
// free space (index 0) unpadded; a tail too short for an object header is free space.
void check_collection(uint64_t at, uint64_t file_size, size_t width, const ReadAt& read_at, const std::string& name) {
  const uint64_t header = 8 + width, object_header = 8 + width;
  std::vector<uint8_t> head(header);
  if (at + header > file_size || !read_at(at, head.size(), head.data())) corrupt(name, at, "is cut short by the end of the file");
  const uint64_t size = decode(head.data() + 8, width);
  if (size < header || size > file_size - at) {
    corrupt(name, at, "claims " + std::to_string(size) + " bytes, but " + std::to_string(file_size - at) +
                          " remain in the file");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (!read_at(at, bytes.size(), bytes.data())) corrupt(name, at, "cannot be read");
  uint64_t p = header;
  while (p < size) {
    const uint64_t left = size - p;
    if (left < object_header) break;  // free space
    const uint8_t* o = bytes.data() + p;
    const uint64_t index = decode(o, 2), object_size = decode(o + 8, width);
    if (object_size > left) {
      corrupt(name, at, "holds object " + std::to_string(index) + " of " + std::to_string(object_size) +
                            " bytes, past its end (" + std::to_string(left) + " bytes left)");
    }
    const uint64_t need = index > 0 ? object_header + (object_size + 7) / 8 * 8 : object_size;
    if (need < object_header || need > left) {
      corrupt(name, at, "holds object " + std::to_string(index) + " whose " + std::to_string(object_size) +
                            " bytes do not fit the " + std::to_string(left) + " left");
    }
    p += need;
  }
}

}  // namespace

namespace {

// Checks each collection whose signature and version start in `bytes` (the file's bytes from `base`;
// a signature that starts in the last 4 is the next chunk's).
void scan(const uint8_t* bytes, size_t n, uint64_t base, uint64_t size, size_t width, const ReadAt& read_at,
          const std::string& name) {
  constexpr size_t kPattern = 5;
  const uint8_t* end = bytes + n;
  for (const uint8_t* p = bytes; p + kPattern <= end; ++p) {
    p = static_cast<const uint8_t*>(std::memchr(p, kCollectionSignature[0], static_cast<size_t>(end - p)));
    if (p == nullptr || p + kPattern > end) break;
    if (std::memcmp(p, kCollectionSignature.data(), kCollectionSignature.size()) == 0 && p[4] == 1) {
      check_collection(base + static_cast<uint64_t>(p - bytes), size, width, read_at, name);
    }
  }
}

}  // namespace

void check_global_heaps(uint64_t size, const ReadAt& read_at, const std::string& name) {
  const size_t width = length_width(size, read_at);
  // Chunks overlap by the signature and version less one byte, so none is missed at a chunk's edge.
  constexpr size_t kChunk = size_t{1} << 20, kOverlap = 4;
  std::vector<uint8_t> chunk(kChunk);
  for (uint64_t start = 0; start < size; start += kChunk - kOverlap) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, size - start));
    if (!read_at(start, n, chunk.data())) throw ValueError("'" + name + "' cannot be read at byte " + std::to_string(start));
    scan(chunk.data(), n, start, size, width, read_at, name);
    if (start + n >= size) break;
  }
}

void check_global_heaps(const uint8_t* data, size_t size, const std::string& name) {
  const ReadAt read_at = [data, size](uint64_t offset, size_t n, uint8_t* out) {
    if (offset > size || n > size - offset) return false;
    std::memcpy(out, data + offset, n);
    return true;
  };
  // The whole image at once: no chunk copies.
  scan(data, size, 0, size, length_width(size, read_at), read_at, name);
}

}  // namespace keras::io::detail
