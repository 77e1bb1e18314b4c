#include <keras/data/source.h>

namespace keras::data {

Dataset::Dataset(std::shared_ptr<const Source> source) : source_(std::move(source)) {
  if (!source_) throw ValueError("Dataset: the source is null");
}

std::optional<int64_t> Dataset::cardinality() const {
  if (source_->cardinality < 0) return std::nullopt;
  return source_->cardinality;
}

const std::vector<std::string>& Dataset::names() const { return source_->names; }

struct Dataset::Iterator::Impl {
  std::unique_ptr<detail::ElementStream> stream;  // released at the end, stopping any worker threads
};

Dataset::Iterator::Iterator(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dataset::Iterator::~Iterator() = default;
Dataset::Iterator::Iterator(Iterator&&) noexcept = default;
Dataset::Iterator& Dataset::Iterator::operator=(Iterator&&) noexcept = default;

std::optional<Element> Dataset::Iterator::next() {
  if (!impl_ || !impl_->stream) return std::nullopt;
  std::optional<Element> element;
  try {
    element = impl_->stream->next();
  } catch (...) {
    impl_->stream.reset();
    throw;
  }
  if (!element) impl_->stream.reset();
  return element;
}

Dataset::Iterator Dataset::iterate() const {
  return Iterator(std::make_shared<Iterator::Impl>(Iterator::Impl{source_->open()}));
}

Dataset::RangeIterator::RangeIterator(std::optional<Iterator> it) : it_(std::move(it)) {
  if (it_) current_ = it_->next();
}

Dataset::RangeIterator& Dataset::RangeIterator::operator++() {
  current_ = it_->next();
  return *this;
}

}  // namespace keras::data
