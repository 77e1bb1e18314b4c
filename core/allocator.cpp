#include <keras/core/allocator.h>

#include <malloc.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace keras::memory {

namespace {

constexpr size_t kAlignment = 64;
// Bigger blocks go back to the system unless freed inside a RecurringScope: they are one-off (whole
// datasets, a test set's float copy) more often than per-step, and holding them would raise the
// resident set for nothing. A training step's largest buffers (a CNN's first activations at batch
// 128, ~11 MB) stay under it.
constexpr size_t kMaxCachedBlock = size_t{16} << 20;

thread_local int recurring_depth = 0;
thread_local int loop_depth = 0;

size_t rounded(size_t nbytes) { return (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment; }

// Blocks of 128 KiB and more are mapped on their own and their pages made resident at once; blocks
// of a huge page and more are also 2 MiB aligned and offered to transparent huge pages. On the
// virtual machines here a page fault costs 10-14 us (measured: 0.3-0.4 GB/s of fresh memory), while
// mapping with MAP_POPULATE costs ~1 us per 4 KiB page and huge pages ~0.2 us per 4 KiB: every fresh
// block of activations, batch copies and dataset conversions pays one of these. TLB misses on 4 KiB
// pages also halved a warm memset's bandwidth. A huge mapping's length is rounded to whole huge
// pages only when that wastes at most an eighth of the block (a huge page is resident whole once
// touched). Sanitizer builds keep malloc, whose redzones catch overflows a bare mapping would not.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define KERAS_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KERAS_SANITIZED 1
#endif
#if defined(__linux__) && !defined(KERAS_SANITIZED)
constexpr size_t kMappedBlock = size_t{128} << 10;
constexpr size_t kHugePage = size_t{2} << 20;
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels refuse it and fault pages in as they are touched
#endif

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

size_t page_size() {
  static const size_t size = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

size_t mapped_length(size_t size) {
  const size_t huge = round_up(size, kHugePage);
  return size >= kHugePage && huge - size <= size / 8 ? huge : round_up(size, page_size());
}

void* allocate_block(size_t size) {
  if (size < kMappedBlock) return std::aligned_alloc(kAlignment, size);
  const size_t length = mapped_length(size);
  if (size < kHugePage) {
    void* p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  // Over-map by a huge page, then give back the head and tail around the aligned start.
  void* raw = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t start = round_up(begin, kHugePage);
  if (start > begin) ::munmap(raw, start - begin);
  const size_t tail = begin + length + kHugePage - (start + length);
  if (tail > 0) ::munmap(reinterpret_cast<void*>(start + length), tail);
  void* p = reinterpret_cast<void*>(start);
  // Advice only: without transparent huge pages, or on an older kernel, pages fault in as touched.
  ::madvise(p, length, MADV_HUGEPAGE);
  ::madvise(p, length, MADV_POPULATE_WRITE);
  return p;
}

void free_block(void* data, size_t size) {
  if (size < kMappedBlock) {
    std::free(data);
  } else {
    ::munmap(data, mapped_length(size));
  }
}
#else
void* allocate_block(size_t size) { return std::aligned_alloc(kAlignment, size); }
void free_block(void* data, size_t /*size*/) { std::free(data); }
#endif

class Pool {
 public:
  void* allocate(size_t nbytes) {
    const size_t size = rounded(nbytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= size;
        --cached_blocks_;
        ++hits_;
        return p;
      }
      ++misses_;
    }
    return allocate_block(size);
  }

  void deallocate(void* data, size_t nbytes) {
    if (!data) return;
    const size_t size = rounded(nbytes);
    if (size <= kMaxCachedBlock || recurring_depth > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      // Over the limit, the whole cache goes: the sizes in use have changed (a new model, the last
      // smaller batch), and the blocks of the old ones would wait for nothing.
      if (cached_bytes_ + size > limit_) release_locked();
      if (cached_bytes_ + size <= limit_) {
        free_[size].push_back(data);
        cached_bytes_ += size;
        ++cached_blocks_;
        return;
      }
    }
    free_block(data, size);
  }

  void empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_locked();
  }

  void set_limit(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    limit_ = bytes;
    if (cached_bytes_ > limit_) release_locked();
  }

  PoolStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {cached_bytes_, cached_blocks_, hits_, misses_};
  }

 private:
  void release_locked() {
    for (auto& [size, blocks] : free_) {
      for (void* p : blocks) free_block(p, size);
    }
    free_.clear();
    cached_bytes_ = 0;
    cached_blocks_ = 0;
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t limit_ = size_t{256} << 20;
  size_t cached_bytes_ = 0;
  size_t cached_blocks_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

// Never destroyed: tensors held in statics are freed after every other static is gone.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

RecurringScope::RecurringScope() { ++recurring_depth; }
RecurringScope::~RecurringScope() { --recurring_depth; }

LoopScope::LoopScope() { ++loop_depth; }
LoopScope::~LoopScope() {
  if (--loop_depth == 0) {
    pool().empty();
#ifdef __GLIBC__
    ::malloc_trim(0);  // blocks under glibc's mmap threshold would stay resident in its free lists
#endif
  }
}

void* allocate_host(size_t nbytes) { return pool().allocate(nbytes); }
void deallocate_host(void* data, size_t nbytes) { pool().deallocate(data, nbytes); }
void empty_cache() { pool().empty(); }
PoolStats pool_stats() { return pool().stats(); }
void set_pool_limit(size_t bytes) { pool().set_limit(bytes); }

}  // namespace keras::memory
