#include <keras/data/source.h>

#include <keras/core/random.h>

#include <algorithm>
#include <atomic>
#include <limits>

namespace keras::data {

namespace {

using detail::ElementStream;
using detail::IndexStream;
using detail::kInfinite;
using detail::kUnknown;
using detail::Stream;

// A stage that only reorders, drops or repeats its input's items, so it runs alike on elements and on
// row indices; Derived::make<T>() builds its stream of T.
template <class Derived>
class RowStage : public Dataset::Source {
 public:
  explicit RowStage(std::shared_ptr<const Source> in) : in_(std::move(in)) {
    names = in_->names;
    slices = in_->slices;
  }
  std::unique_ptr<ElementStream> open() const override {
    return slices ? Source::open() : static_cast<const Derived*>(this)->template make<Element>();
  }
  std::unique_ptr<IndexStream> open_indices() const override {
    return static_cast<const Derived*>(this)->template make<int64_t>();
  }

 protected:
  std::shared_ptr<const Source> in_;
};

template <class T>
class ShuffleStream final : public Stream<T> {
 public:
  ShuffleStream(std::unique_ptr<Stream<T>> in, int64_t buffer_size, uint64_t seed)
      : in_(std::move(in)), buffer_size_(static_cast<size_t>(buffer_size)), rng_(seed) {}
  // tf.data's algorithm: keep the buffer full, hand out a uniformly chosen slot.
  std::optional<T> next() override {
    while (!exhausted_ && buffer_.size() < buffer_size_) {
      auto item = in_->next();
      if (!item) {
        exhausted_ = true;
        break;
      }
      buffer_.push_back(std::move(*item));
    }
    if (buffer_.empty()) return std::nullopt;
    const size_t k = static_cast<size_t>(rng_.below(buffer_.size()));
    T out = std::move(buffer_[k]);
    if (k + 1 != buffer_.size()) buffer_[k] = std::move(buffer_.back());
    buffer_.pop_back();
    return out;
  }

 private:
  std::unique_ptr<Stream<T>> in_;
  size_t buffer_size_;
  detail::Rng rng_;
  std::vector<T> buffer_;
  bool exhausted_ = false;
};

class ShuffleSource final : public RowStage<ShuffleSource> {
 public:
  ShuffleSource(std::shared_ptr<const Source> in, int64_t buffer_size, uint64_t seed, bool reshuffle)
      : RowStage(std::move(in)), buffer_size_(buffer_size), seed_(seed), reshuffle_(reshuffle) {
    cardinality = in_->cardinality;
  }
  template <class T>
  std::unique_ptr<Stream<T>> make() const {
    // Pass k of every copy of this dataset uses the same order, so seeded programs repeat exactly.
    const uint64_t pass = reshuffle_ ? passes_.fetch_add(1) : 0;
    return std::make_unique<ShuffleStream<T>>(detail::open_stream<T>(*in_), buffer_size_,
                                              detail::mix64(seed_ ^ detail::mix64(pass + 1)));
  }

 private:
  int64_t buffer_size_;
  uint64_t seed_;
  bool reshuffle_;
  mutable std::atomic<uint64_t> passes_{0};
};

template <class T>
class RepeatStream final : public Stream<T> {
 public:
  RepeatStream(std::shared_ptr<const Dataset::Source> in, int64_t count) : in_(std::move(in)), count_(count) {}
  std::optional<T> next() override {
    for (;;) {
      if (!current_) {
        if (count_ != kInfinite && passes_ >= count_) return std::nullopt;
        current_ = detail::open_stream<T>(*in_);
        yielded_ = false;
      }
      if (auto item = current_->next()) {
        yielded_ = true;
        return item;
      }
      current_.reset();
      ++passes_;
      if (!yielded_) return std::nullopt;  // an empty input repeated is empty, not an endless loop
    }
  }

 private:
  std::shared_ptr<const Dataset::Source> in_;
  int64_t count_;
  int64_t passes_ = 0;
  bool yielded_ = false;
  std::unique_ptr<Stream<T>> current_;
};

class RepeatSource final : public RowStage<RepeatSource> {
 public:
  RepeatSource(std::shared_ptr<const Source> in, int64_t count) : RowStage(std::move(in)), count_(count) {
    const int64_t n = in_->cardinality;
    if (n == 0 || count == 0) {
      cardinality = 0;
    } else if (n == kUnknown) {
      cardinality = kUnknown;
    } else if (n == kInfinite || count == kInfinite) {
      cardinality = kInfinite;
    } else {
      cardinality = n > std::numeric_limits<int64_t>::max() / count ? kInfinite : n * count;
    }
  }
  template <class T>
  std::unique_ptr<Stream<T>> make() const {
    return std::make_unique<RepeatStream<T>>(in_, count_);
  }

 private:
  int64_t count_;
};

template <class T>
class TakeStream final : public Stream<T> {
 public:
  TakeStream(std::unique_ptr<Stream<T>> in, int64_t count) : in_(std::move(in)), left_(count) {}
  std::optional<T> next() override {
    if (left_ == 0) return std::nullopt;
    auto item = in_->next();
    if (item && left_ > 0) --left_;
    return item;
  }

 private:
  std::unique_ptr<Stream<T>> in_;
  int64_t left_;  // -1: all
};

class TakeSource final : public RowStage<TakeSource> {
 public:
  TakeSource(std::shared_ptr<const Source> in, int64_t count) : RowStage(std::move(in)), count_(count) {
    const int64_t n = in_->cardinality;
    if (count == -1) {
      cardinality = n;
    } else if (n == kInfinite) {
      cardinality = count;
    } else {
      cardinality = n == kUnknown ? kUnknown : std::min(n, count);
    }
  }
  template <class T>
  std::unique_ptr<Stream<T>> make() const {
    return std::make_unique<TakeStream<T>>(detail::open_stream<T>(*in_), count_);
  }

 private:
  int64_t count_;
};

template <class T>
class SkipStream final : public Stream<T> {
 public:
  SkipStream(std::unique_ptr<Stream<T>> in, int64_t count) : in_(std::move(in)), count_(count) {}
  std::optional<T> next() override {
    for (; count_ != 0; count_ = count_ > 0 ? count_ - 1 : -1) {
      if (!in_->next()) {
        count_ = 0;
        return std::nullopt;
      }
    }
    return in_->next();
  }

 private:
  std::unique_ptr<Stream<T>> in_;
  int64_t count_;  // -1: all
};

class SkipSource final : public RowStage<SkipSource> {
 public:
  SkipSource(std::shared_ptr<const Source> in, int64_t count) : RowStage(std::move(in)), count_(count) {
    const int64_t n = in_->cardinality;
    if (n < 0) {
      cardinality = n == kInfinite && count == -1 ? kUnknown : n;
    } else {
      cardinality = count == -1 ? 0 : std::max<int64_t>(0, n - count);
    }
  }
  template <class T>
  std::unique_ptr<Stream<T>> make() const {
    return std::make_unique<SkipStream<T>>(detail::open_stream<T>(*in_), count_);
  }

 private:
  int64_t count_;
};

class MapStream final : public ElementStream {
 public:
  MapStream(std::unique_ptr<ElementStream> in, std::shared_ptr<const std::function<Element(const Element&)>> fn,
            std::vector<std::string> names)
      : in_(std::move(in)), fn_(std::move(fn)), names_(std::move(names)) {}
  std::optional<Element> next() override {
    auto element = in_->next();
    if (!element) return std::nullopt;
    Element out = (*fn_)(*element);
    if (!names_.empty() && out.size() != names_.size()) {
      throw ValueError("Dataset.map: the function returned " + std::to_string(out.size()) +
                       " components, but the dataset's components are named (" + joined() +
                       "): return one tensor per name, in that order");
    }
    return out;
  }

 private:
  std::string joined() const {
    std::string s;
    for (const std::string& n : names_) s += (s.empty() ? "'" : ", '") + n + "'";
    return s;
  }
  std::unique_ptr<ElementStream> in_;
  // Shared with the stage: an iterator may outlive its Dataset.
  std::shared_ptr<const std::function<Element(const Element&)>> fn_;
  std::vector<std::string> names_;
};

class MapSource final : public Dataset::Source {
 public:
  MapSource(std::shared_ptr<const Source> in, std::function<Element(const Element&)> fn)
      : in_(std::move(in)), fn_(std::make_shared<const std::function<Element(const Element&)>>(std::move(fn))) {
    names = in_->names;
    cardinality = in_->cardinality;
  }
  std::unique_ptr<ElementStream> open() const override { return std::make_unique<MapStream>(in_->open(), fn_, names); }

 private:
  std::shared_ptr<const Source> in_;
  std::shared_ptr<const std::function<Element(const Element&)>> fn_;
};

void require_count(int64_t count, const char* op) {
  if (count < -1) {
    throw ValueError(std::string("Dataset.") + op + ": count must be non-negative (or -1 for all), but received " +
                     std::to_string(count));
  }
}

}  // namespace

Dataset Dataset::shuffle(int64_t buffer_size, std::optional<uint64_t> seed, bool reshuffle_each_iteration) const {
  if (buffer_size <= 0) {
    throw ValueError("Dataset.shuffle: buffer_size must be positive, but received " + std::to_string(buffer_size));
  }
  // Unseeded shuffles draw their seed from the global generator, so keras::utils::set_random_seed fixes them.
  const uint64_t s = seed ? *seed : random::SeedGenerator().seed();
  return Dataset(std::make_shared<ShuffleSource>(source_, buffer_size, s, reshuffle_each_iteration));
}

Dataset Dataset::map(std::function<Element(const Element&)> fn) const {
  if (!fn) throw ValueError("Dataset.map: the function is empty");
  return Dataset(std::make_shared<MapSource>(source_, std::move(fn)));
}

Dataset Dataset::repeat(std::optional<int64_t> count) const {
  if (count) require_count(*count, "repeat");
  return Dataset(std::make_shared<RepeatSource>(source_, count.value_or(kInfinite)));
}

Dataset Dataset::take(int64_t count) const {
  require_count(count, "take");
  return Dataset(std::make_shared<TakeSource>(source_, count));
}

Dataset Dataset::skip(int64_t count) const {
  require_count(count, "skip");
  return Dataset(std::make_shared<SkipSource>(source_, count));
}

}  // namespace keras::data
