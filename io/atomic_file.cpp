#include <keras/io/atomic_file.h>

#include <keras/core/errors.h>
#include <keras/io/io_utils.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace keras::io {

using detail::errno_text;

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    tmp_ = path_ + ".tmp" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0 || errno != EEXIST) break;
  }
  if (fd_ < 0) throw RuntimeError("Cannot create a temporary file beside '" + path_ + "': " + errno_text());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
}

void AtomicFile::write(const void* data, size_t n) {
  if (fd_ < 0) throw RuntimeError("Cannot write '" + path_ + "': the file was already committed");
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw RuntimeError("Cannot write '" + path_ + "': " + errno_text());
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void AtomicFile::commit() {
  if (committed_) return;
  if (fd_ >= 0) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw RuntimeError("Cannot write '" + path_ + "': " + errno_text());
  }
  // Reopened by name: a library that wrote by path may have replaced the file we created.
  const int fd = ::open(tmp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw RuntimeError("Cannot write '" + path_ + "': " + errno_text());
  const bool synced = ::fsync(fd) == 0 || errno == EINVAL;
  const std::string sync_error = synced ? "" : errno_text();
  ::close(fd);
  if (!synced) throw RuntimeError("Cannot write '" + path_ + "': " + sync_error);
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) throw RuntimeError("Cannot replace '" + path_ + "': " + errno_text());
  committed_ = true;
}

}  // namespace keras::io
