#pragma once
// What the file readers and writers of io/ share: the limit they hold compressed data to, and
// error texts of the C libraries underneath. Internal to io/.
#include <zip.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace keras::io::detail {

/// Deflate emits at most 258 bytes per 2 bits of input: a file claiming more data per compressed
/// byte lies, and is refused before anything is allocated for the claim.
inline constexpr uint64_t kMaxDeflateRatio = 1032;

/// strerror(errno), read at the call.
inline std::string errno_text() { return std::strerror(errno); }

/// libzip's message for an error code (zip_open's).
inline std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

/// An archive opened for reading: discarded (never written back) when it goes.
struct ArchiveCloser {
  void operator()(zip_t* za) const { zip_discard(za); }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;

/// An entry opened with zip_fopen_index.
struct EntryCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

}  // namespace keras::io::detail
