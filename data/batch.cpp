#include <keras/data/source.h>

#include <keras/core/ops.h>

namespace keras::data {

namespace {

using detail::ElementStream;
using detail::IndexStream;

// Batches of rows of from_tensor_slices' tensors: one gather (or one view) per component and batch.
class IndexBatches final : public ElementStream {
 public:
  IndexBatches(std::unique_ptr<IndexStream> in, std::shared_ptr<const detail::Slices> slices, int64_t batch_size,
               bool drop_remainder)
      : in_(std::move(in)), slices_(std::move(slices)), batch_size_(batch_size), drop_remainder_(drop_remainder) {}
  std::optional<Element> next() override {
    std::vector<int64_t> indices;
    indices.reserve(static_cast<size_t>(std::min<int64_t>(batch_size_, 1 << 16)));
    while (static_cast<int64_t>(indices.size()) < batch_size_) {
      const auto i = in_->next();
      if (!i) break;
      indices.push_back(*i);
    }
    if (indices.empty() || (drop_remainder_ && static_cast<int64_t>(indices.size()) < batch_size_)) return std::nullopt;
    return slices_->rows(indices);
  }

 private:
  std::unique_ptr<IndexStream> in_;
  std::shared_ptr<const detail::Slices> slices_;
  int64_t batch_size_;
  bool drop_remainder_;
};

// Batches of any elements: stacks each component.
class StackBatches final : public ElementStream {
 public:
  StackBatches(std::unique_ptr<ElementStream> in, int64_t batch_size, bool drop_remainder)
      : in_(std::move(in)), batch_size_(batch_size), drop_remainder_(drop_remainder) {}
  std::optional<Element> next() override {
    std::vector<Element> elements;
    while (static_cast<int64_t>(elements.size()) < batch_size_) {
      auto e = in_->next();
      if (!e) break;
      check_compatible(elements.empty() ? *e : elements[0], *e, elements.size());
      elements.push_back(std::move(*e));
    }
    const auto n = static_cast<int64_t>(elements.size());
    if (n == 0 || (drop_remainder_ && n < batch_size_)) return std::nullopt;
    Element batch;
    for (size_t c = 0; c < elements[0].size(); ++c) {
      Tensors parts;
      parts.reserve(elements.size());
      for (const Element& e : elements) parts.push_back(e[c]);
      batch.push_back(ops::stack(parts, 0));
    }
    return batch;
  }

 private:
  static void check_compatible(const Element& first, const Element& e, size_t index) {
    if (e.size() != first.size()) {
      throw ValueError("Dataset.batch: element " + std::to_string(index) + " has " + std::to_string(e.size()) +
                       " components, but the first element had " + std::to_string(first.size()));
    }
    for (size_t c = 0; c < e.size(); ++c) {
      if (!e[c].defined()) throw ValueError("Dataset.batch: component " + std::to_string(c) + " is None");
      if (e[c].shape() != first[c].shape() || e[c].dtype() != first[c].dtype()) {
        throw ValueError("Cannot batch tensors with different shapes or dtypes in component " + std::to_string(c) +
                         ". First element had shape " + first[c].shape().str() + " and dtype " +
                         std::string(dtype_name(first[c].dtype())) + ", and element " + std::to_string(index) +
                         " had shape " + e[c].shape().str() + " and dtype " + std::string(dtype_name(e[c].dtype())));
      }
    }
  }

  std::unique_ptr<ElementStream> in_;
  int64_t batch_size_;
  bool drop_remainder_;
};

class BatchSource final : public Dataset::Source {
 public:
  BatchSource(std::shared_ptr<const Source> in, int64_t batch_size, bool drop_remainder)
      : in_(std::move(in)), batch_size_(batch_size), drop_remainder_(drop_remainder) {
    names = in_->names;
    const int64_t n = in_->cardinality;
    cardinality = n < 0 ? n : n / batch_size + (!drop_remainder && n % batch_size != 0);
  }
  std::unique_ptr<ElementStream> open() const override {
    if (in_->slices) {
      return std::make_unique<IndexBatches>(in_->open_indices(), in_->slices, batch_size_, drop_remainder_);
    }
    return std::make_unique<StackBatches>(in_->open(), batch_size_, drop_remainder_);
  }

 private:
  std::shared_ptr<const Source> in_;
  int64_t batch_size_;
  bool drop_remainder_;
};

}  // namespace

Dataset Dataset::batch(int64_t batch_size, bool drop_remainder) const {
  if (batch_size <= 0) {
    throw ValueError("Dataset.batch: batch_size must be positive, but received " + std::to_string(batch_size));
  }
  return Dataset(std::make_shared<BatchSource>(source_, batch_size, drop_remainder));
}

}  // namespace keras::data
