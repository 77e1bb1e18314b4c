#include <keras/data/source.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

namespace keras::data {

namespace {

using detail::ElementStream;

// Pulls from its input on a worker thread into a bounded queue. The worker blocks when the queue is
// full and stops when the consumer goes away; an exception on the worker reaches the consumer after
// the elements produced before it.
class PrefetchStream final : public ElementStream {
 public:
  PrefetchStream(std::unique_ptr<ElementStream> in, size_t capacity)
      : in_(std::move(in)), capacity_(capacity), worker_([this] { run(); }) {}
  ~PrefetchStream() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    space_.notify_all();
    worker_.join();
  }
  std::optional<Element> next() override {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return !queue_.empty() || finished_; });
    if (!queue_.empty()) {
      Element e = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      space_.notify_one();
      return e;
    }
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    return std::nullopt;
  }

 private:
  void run() {
    try {
      for (;;) {
        {
          std::unique_lock<std::mutex> lock(mutex_);
          space_.wait(lock, [this] { return queue_.size() < capacity_ || stop_; });
          if (stop_) break;
        }
        auto e = in_->next();
        std::lock_guard<std::mutex> lock(mutex_);
        if (!e) break;
        queue_.push_back(std::move(*e));
        ready_.notify_one();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    ready_.notify_all();
  }

  std::unique_ptr<ElementStream> in_;  // used by the worker only
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;  // an element or the end is available
  std::condition_variable space_;  // the queue has room, or the consumer has gone
  std::deque<Element> queue_;
  bool stop_ = false;
  bool finished_ = false;
  std::exception_ptr error_;
  std::thread worker_;  // last: it starts once the members it uses exist
};

class PrefetchSource final : public Dataset::Source {
 public:
  PrefetchSource(std::shared_ptr<const Source> in, int64_t buffer_size)
      : in_(std::move(in)), buffer_size_(buffer_size) {
    names = in_->names;
    cardinality = in_->cardinality;
  }
  std::unique_ptr<ElementStream> open() const override {
    return std::make_unique<PrefetchStream>(in_->open(), static_cast<size_t>(buffer_size_));
  }

 private:
  std::shared_ptr<const Source> in_;
  int64_t buffer_size_;
};

// What AUTOTUNE prefetches: enough to hide one slow step without holding many batches in memory.
constexpr int64_t kAutotuneBufferSize = 2;

}  // namespace

Dataset Dataset::prefetch(int64_t buffer_size) const {
  if (buffer_size == AUTOTUNE) buffer_size = kAutotuneBufferSize;
  if (buffer_size < 0) {
    throw ValueError("Dataset.prefetch: buffer_size must be non-negative (or AUTOTUNE), but received " +
                     std::to_string(buffer_size));
  }
  if (buffer_size == 0) return *this;  // as tf.data: nothing to prepare ahead
  return Dataset(std::make_shared<PrefetchSource>(source_, buffer_size));
}

}  // namespace keras::data
