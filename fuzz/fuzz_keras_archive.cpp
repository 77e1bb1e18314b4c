// libFuzzer target: the .keras zip reader on arbitrary bytes (written to a temporary file, since
// the reader takes a path, as libzip does), then the HDF5 image it yields opened and walked. Only
// keras-cpp's documented exceptions may come out.
#include <keras/core/errors.h>
#include <keras/io/h5_file.h>
#include <keras/io/keras_archive.h>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace {

const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/fuzz_keras_archive_" + std::to_string(::getpid()) + ".keras";
  }();
  return path;
}

// Every group and dataset below `group`, read as the loaders would.
void walk(const keras::io::H5Group& group, int depth) {
  if (depth > 8) return;
  for (const std::string& name : group.children()) {
    if (group.has_group(name)) {
      walk(group.group(name), depth + 1);
    } else if (group.has_dataset(name)) {
      (void)group.dataset(name).read();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = scratch_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    const keras::io::KerasArchive archive = keras::io::read_keras_archive(path);
    const keras::io::H5File weights =
        keras::io::H5File::open_image(archive.weights_h5.data(), archive.weights_h5.size(), "fuzz.keras:model.weights.h5");
    walk(weights, 0);
  } catch (const keras::Error&) {
  }
  std::remove(path.c_str());
  return 0;
}
