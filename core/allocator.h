#pragma once
// The host memory pool behind CPU tensor storage. Eager training makes the same shapes step after
// step; each freed buffer waits in a free list for the next request of its size, so steps stop
// paying for malloc, page faults and the kernel's zeroing of fresh pages.
#include <cstddef>
#include <cstdint>

namespace keras::memory {

/// What the host pool holds and how often it served a request.
struct PoolStats {
  size_t cached_bytes = 0;   // freed blocks kept for reuse
  size_t cached_blocks = 0;
  uint64_t hits = 0;         // requests served from the pool
  uint64_t misses = 0;       // requests that went to the system
};

/// 64-byte aligned host memory of at least `nbytes` (rounded up to a multiple of 64): a cached block
/// of that size when the pool has one. Returns nullptr when the system has no memory left.
void* allocate_host(size_t nbytes);
/// Gives back a block from allocate_host(nbytes): kept for reuse while the pool is under its limit
/// and the block is not huge, else freed. Thread-safe, like allocate_host.
void deallocate_host(void* data, size_t nbytes);
/// Frees every cached block (live tensors are untouched).
void empty_cache();
PoolStats pool_stats();
/// The most bytes the pool keeps cached (default 256 MiB); 0 turns caching off. Frees the excess.
void set_pool_limit(size_t bytes);

/// While one is alive on a thread, blocks that thread frees are cached whatever their size (within
/// the pool's limit). Outside, blocks over 16 MiB go back to the system: big blocks are more often
/// one-off (a dataset, a test set's float copy) than per-step. Step loops and graph replays open one,
/// since their big buffers (a CNN's activations at a predict batch of 1000) come back every step and
/// would otherwise cost fresh pages each time: the page faults and the kernel's zeroing.
class RecurringScope {
 public:
  RecurringScope();
  ~RecurringScope();
  RecurringScope(const RecurringScope&) = delete;
  RecurringScope& operator=(const RecurringScope&) = delete;
};

/// fit, evaluate and predict each hold one: when the outermost on a thread ends, the pool is
/// emptied. One loop's cached buffers (a training step's, at batch 128) would otherwise wait unused
/// beside the next loop's (a predict at batch 1000) and raise the peak resident set by their size;
/// a loop refills the pool in its first steps.
class LoopScope {
 public:
  LoopScope();
  ~LoopScope();
  LoopScope(const LoopScope&) = delete;
  LoopScope& operator=(const LoopScope&) = delete;
};

}  // namespace keras::memory
