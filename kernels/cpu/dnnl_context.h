#pragma once
// The one oneDNN CPU engine and stream, and a cache of primitives keyed by shape, so that each
// primitive descriptor is built once per shape rather than once per call.
#include <oneapi/dnnl/dnnl.hpp>

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace keras::kernels::cpu {

dnnl::engine& dnnl_engine();
dnnl::stream& dnnl_stream();

template <class Primitive>
class PrimitiveCache {
 public:
  Primitive get(const std::string& key, const std::function<Primitive()>& create) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    if (cache_.size() >= kCapacity) cache_.clear();  // shapes churn rarely; a full reset is enough
    return cache_.emplace(key, create()).first->second;
  }

 private:
  static constexpr size_t kCapacity = 1024;
  std::mutex mutex_;
  std::unordered_map<std::string, Primitive> cache_;
};

/// Appends the integers to a cache key.
inline void append_key(std::string& key, std::initializer_list<int64_t> values) {
  for (int64_t v : values) {
    key += std::to_string(v);
    key += ',';
  }
}

}  // namespace keras::kernels::cpu
